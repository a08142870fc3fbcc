import Foundation
import TestFixtures
import Testing
import Data

@Suite(.removesTemporaryFolders) struct ClassFolderTests {
    @Test func classesAreNumberedLikeIm2recInByteOrder() throws {
        let source = try ClassFolderDataset.scan(SourcesFixtures.tree, numClasses: 3)
        #expect(source.classNames == ["Zebra", "cat", "dog"])
        #expect(source.count == 14)  // notes.txt is not an image
        let labels = Dictionary(uniqueKeysWithValues: source.samples.map { ($0.reference, Int($0.labels[0])) })
        #expect(labels["Zebra/img0.png"] == 0 && labels["cat/gray.png"] == 1 && labels["dog/rgba.png"] == 2)
        // Within a folder, files in byte order (upper case first), as im2rec lists them.
        #expect(source.samples.prefix(4).map(\.reference) == ["Zebra/img0.png", "Zebra/img1.jpg", "Zebra/img2.PNG", "Zebra/img3.jpeg"])
    }

    @Test func matchesTheFixtureListLabels() throws {
        let source = try ClassFolderDataset.scan(SourcesFixtures.tree)
        let list = try LstFile.load(SourcesFixtures.treeList,
                                    root: SourcesFixtures.tree, labels: LabelSpec(numClasses: 3))
        let fromList = Dictionary(uniqueKeysWithValues: list.entries.map { ($0.path, $0.labels) })
        for s in source.samples { #expect(fromList[s.reference] == s.labels, "\(s.reference)") }
    }

    @Test func classCountMismatchIsReported() {
        #expect {
            _ = try ClassFolderDataset.scan(SourcesFixtures.tree, numClasses: 5)
        } throws: { error in
            "\(error)".contains("found 3 class folders") && "\(error)".contains("num_classes is 5")
        }
    }

    @Test func emptyFolderIsAnError() {
        let folder = SourcesFixtures.temporaryFolder()
        #expect(throws: DatasetError.self) { _ = try ClassFolderDataset.scan(folder) }
    }

    @Test func datasetOpenFallsBackToClassFolders() throws {
        let source = try Dataset.open(SourcesFixtures.tree, options: .init(channel: "train", labels: LabelSpec(numClasses: 3)))
        #expect(source.count == 14)
        #expect(try source.load(at: 13).labels == [2])
    }
}
