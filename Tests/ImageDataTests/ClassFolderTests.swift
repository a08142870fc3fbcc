import Foundation
import TestFixtures
import Testing
import ImageData

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

    /// A copy of the fixture tree whose class folders are renamed (`renames`: old name to new).
    static func tree(renaming renames: [String: String] = [:]) throws -> URL {
        let folder = SourcesFixtures.temporaryFolder("renamedtree")
        for name in ["Zebra", "cat", "dog"] {
            try FileManager.default.copyItem(at: SourcesFixtures.tree.appendingPathComponent(name),
                                             to: folder.appendingPathComponent(renames[name] ?? name))
        }
        return folder
    }

    static func labels(_ source: FileSampleSource) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: source.samples.map { ($0.reference, Int($0.labels[0])) })
    }

    /// Known classes in another order than the folders sort in: each folder takes its name's index.
    @Test func knownClassesMatchFoldersByName() throws {
        let known = KnownClasses(names: ["dog", "cat", "Zebra"], origin: "the train channel")
        let source = try ClassFolderDataset.scan(SourcesFixtures.tree, numClasses: 3, known: known)
        #expect(source.classNames == ["dog", "cat", "Zebra"])
        let labels = Self.labels(source)
        #expect(labels["Zebra/img0.png"] == 2 && labels["cat/gray.png"] == 1 && labels["dog/rgba.png"] == 0)
        #expect(source.count == 14)
    }

    /// Renaming one folder is an error naming it and the known classes, never a silent shift
    /// of the others' labels; the same for an extra folder, in either sort position.
    @Test(arguments: [["Zebra": "zz"], ["Zebra": "0"], ["dog": "Dog"], ["cat": "cat "], ["cat": "zebra", "dog": "aardvark"]])
    func anUnknownFolderIsAnErrorNamingIt(renames: [String: String]) throws {
        let folder = try Self.tree(renaming: renames)
        let known = KnownClasses(names: ["Zebra", "cat", "dog"], origin: "the train channel")
        let error = #expect(throws: DatasetError.self) { try ClassFolderDataset.scan(folder, numClasses: 3, known: known) }
        let text = "\(error.map { "\($0)" } ?? "")"
        for new in renames.values { #expect(text.contains(new), "\(text)") }
        #expect(text.contains("not among the classes of the train channel (Zebra, cat, dog)"), "\(text)")
        #expect(text.contains(folder.path))
    }

    /// A class without a folder is fine: the others keep their indices, with one note.
    @Test func aMissingClassIsANote() throws {
        let known = KnownClasses(names: ["ant", "Zebra", "bee", "cat", "dog"], origin: "the model's classes.json")
        let notes = NoteLog()
        let source = try ClassFolderDataset.scan(SourcesFixtures.tree, numClasses: 5, known: known, warn: notes.add)
        let labels = Self.labels(source)
        #expect(labels["Zebra/img0.png"] == 1 && labels["cat/gray.png"] == 3 && labels["dog/rgba.png"] == 4)
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.contains("no folder for 2 of the 5 classes of the model's classes.json (ant, bee)") == true, "\(notes.all)")
    }

    /// Without names, folders keep their sorted positions, and a caller's note is said once.
    @Test func withoutNamesFoldersKeepTheirPositionsAndSaySo() throws {
        let notes = NoteLog()
        let source = try ClassFolderDataset.scan(Self.tree(renaming: ["Zebra": "zz"]), numClasses: 3,
                                                 positionNote: "the model has no class names", warn: notes.add)
        #expect(source.classNames == ["cat", "dog", "zz"])
        #expect(Self.labels(source)["zz/img0.png"] == 2)
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.contains("the model has no class names; class folders are numbered by their sorted position (0 = cat, 1 = dog, 2 = zz)") == true, "\(notes.all)")
    }

    /// Through `Dataset.open`: class folders are matched by name; a `.lst`'s numeric labels are kept.
    @Test func datasetOpenMatchesFoldersButKeepsLstLabels() throws {
        var options = Dataset.Options(channel: "validation", labels: LabelSpec(numClasses: 3))
        options.knownClasses = KnownClasses(names: ["dog", "cat", "Zebra"], origin: "the train channel")
        options.warn = { _ in }
        let folders = try Dataset.open(SourcesFixtures.tree, options: options)
        #expect(try folders.load(at: 0).labels == [2])  // Zebra/img0.png
        options.lst = SourcesFixtures.treeList
        let listed = try Dataset.open(SourcesFixtures.tree, options: options)
        let list = try LstFile.load(SourcesFixtures.treeList, root: SourcesFixtures.tree, labels: LabelSpec(numClasses: 3))
        #expect(try (0..<listed.count).map { try listed.load(at: $0).labels } == list.entries.map(\.labels))
        options.lst = nil
        let renamed = try Self.tree(renaming: ["Zebra": "zz"])
        #expect(throws: DatasetError.self) { try Dataset.open(renamed, options: options) }
    }
}

/// Collects warnings.
final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
