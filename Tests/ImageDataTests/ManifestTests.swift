import Foundation
import TestFixtures
import Testing
import Support
import ImageData

@Suite(.removesTemporaryFolders) struct ManifestTests {
    /// A folder with a.jpg and b/c.jpg, and an S3 mirror holding bucket/key.jpg.
    func makeFolder() -> URL {
        let folder = SourcesFixtures.temporaryFolder()
        SourcesFixtures.write("x", to: folder.appendingPathComponent("a.jpg"))
        SourcesFixtures.write("x", to: folder.appendingPathComponent("b/c.jpg"))
        SourcesFixtures.write("x", to: folder.appendingPathComponent("mirror/bucket/key.jpg"))
        return folder
    }

    func options(_ folder: URL, classes: Int = 3, multi: Bool = false, format: ManifestLabelFormat = .multiHot) -> ManifestOptions {
        ManifestOptions(attributeNames: ["source-ref", "class"], labels: LabelSpec(numClasses: classes, multiLabel: multi),
                        labelFormat: format, s3Mirror: folder.appendingPathComponent("mirror"))
    }

    @Test func singleLabelFormsAndReferenceForms() throws {
        let folder = makeFolder()
        let text = """
        {"source-ref": "a.jpg", "class": 0}
        {"source-ref": "file://\(folder.path)/b/c.jpg", "class": "2", "class-metadata": {"confidence": 0.9}}
        {"source-ref": "s3://bucket/key.jpg", "class": 1.0}
        {"source-ref": "\(folder.path)/a.jpg", "class": "1"}
        """
        var report = ValidationReport()
        let samples = AugmentedManifest.parse(text, file: "train.manifest", baseDirectory: folder, options: options(folder), report: &report)
        #expect(report.isEmpty, "\(report)")
        #expect(samples.map(\.labels) == [[0], [2], [1], [1]])
        #expect(samples[1].file.path == folder.appendingPathComponent("b/c.jpg").path)
        #expect(samples[2].file.path == folder.appendingPathComponent("mirror/bucket/key.jpg").path)
        #expect(samples[3].reference == "train.manifest:4")
    }

    @Test func multiHotAndClassIdArrays() throws {
        let folder = makeFolder()
        let text = """
        {"source-ref": "a.jpg", "class": [1, 0, 1]}
        {"source-ref": "a.jpg", "class": "[0, 1, 1]"}
        """
        var report = ValidationReport()
        let multiHot = AugmentedManifest.parse(text, file: "m", baseDirectory: folder, options: options(folder, multi: true), report: &report)
        #expect(report.isEmpty && multiHot.map(\.labels) == [[1, 0, 1], [0, 1, 1]])
        let ids = """
        {"source-ref": "a.jpg", "class": [0, 2]}
        {"source-ref": "a.jpg", "class": "[1]"}
        """
        let classID = AugmentedManifest.parse(ids, file: "m", baseDirectory: folder,
                                              options: options(folder, multi: true, format: .classID), report: &report)
        #expect(report.isEmpty && classID.map(\.labels) == [[1, 0, 1], [0, 1, 0]])
    }

    @Test func labelFormatComesFromTheContentType() throws {
        #expect(try ManifestLabelFormat.from(contentType: "application/x-recordio; label-format=class-id") == .classID)
        #expect(try ManifestLabelFormat.from(contentType: "application/x-recordio") == .multiHot)
        #expect(throws: DatasetError.self) { _ = try ManifestLabelFormat.from(contentType: "application/x-image; label-format=ids") }
    }

    @Test func everyProblemIsReportedWithItsLine() throws {
        let folder = makeFolder()
        let text = """
        {"source-ref": "a.jpg", "class": 0}
        {"source-ref": "a.jpg", "class": 0
        {"class": 1}
        {"source-ref": "a.jpg"}
        {"source-ref": "missing.jpg", "class": 1}
        {"source-ref": "../../escape.jpg", "class": 1}
        {"source-ref": "a.jpg", "class": 5}
        {"source-ref": "a.jpg", "class": "dog"}
        {"source-ref": "s3://other/none.jpg", "class": 1}
        {"source-ref": "a.jpg", "class": [1, 0]}
        """
        var report = ValidationReport()
        let samples = AugmentedManifest.parse(text, file: "t.manifest", baseDirectory: folder, options: options(folder), report: &report)
        #expect(samples.count == 1)
        #expect(report.problems.map { $0.line ?? 0 } == [2, 3, 4, 5, 6, 7, 8, 9, 10])
        let messages = report.problems.map(\.message)
        #expect(messages[0].contains("invalid JSON"))
        #expect(messages[1].contains("missing attribute 'source-ref'"))
        #expect(messages[2].contains("missing attribute 'class'"))
        #expect(messages[3].contains("not found"))
        #expect(messages[4].contains("escapes"))
        #expect(messages[5].contains("out of range"))
        #expect(messages[6].contains("not a number"))
        #expect(messages[7].contains("not found"))
        #expect(messages[8].contains("multi_label is 0"))
    }

    /// A key given twice on a line is named (JSONSerialization would keep one silently);
    /// the same name in a nested object, or spelled with escapes, is judged as JSON means it.
    @Test func duplicateKeysAreNamed() throws {
        let folder = makeFolder()
        let text = """
        {"source-ref": "a.jpg", "class": 0, "class": 2}
        {"source-ref": "a.jpg", "class": 1, "class-metadata": {"class": 1, "x": [{"class": 2}]}}
        {"source-ref": "a.jpg", "\\u0063lass": 1, "class": 1}
        """
        var report = ValidationReport()
        let samples = AugmentedManifest.parse(text, file: "t.manifest", baseDirectory: folder, options: options(folder), report: &report)
        #expect(samples.count == 1 && samples[0].labels == [1])
        #expect(report.problems.map { $0.line ?? 0 } == [1, 3])
        #expect(report.problems.allSatisfy { $0.message.contains("the key \"class\" appears twice on this line") }, "\(report.problems)")
        #expect(JSONDuplicateKeys.first(in: Data(#"["a", "a", {"b": 1, "b": 2}]"#.utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Data(#"{"a\"b": 1, "a\"b": 2}"#.utf8)) == "a\"b")
    }

    /// Absolute references (a path or file://) are read only inside the channel folder or the
    /// S3 mirror, as `..` already is; /etc/hostname is named as outside, not read.
    @Test func absoluteReferencesStayInsideTheChannel() throws {
        let folder = makeFolder()
        let mirror = folder.appendingPathComponent("mirror").path
        let text = """
        {"source-ref": "/etc/hostname", "class": 0}
        {"source-ref": "file:///etc/hostname", "class": 0}
        {"source-ref": "\(folder.path)/../\(folder.lastPathComponent)-x/a.jpg", "class": 0}
        {"source-ref": "\(mirror)/bucket/key.jpg", "class": 1}
        {"source-ref": "\(folder.path)/b/../a.jpg", "class": 2}
        """
        var report = ValidationReport()
        let samples = AugmentedManifest.parse(text, file: "t.manifest", baseDirectory: folder, options: options(folder), report: &report)
        #expect(samples.map(\.labels) == [[1], [2]])
        #expect(report.problems.map { $0.line ?? 0 } == [1, 2, 3])
        #expect(report.problems.allSatisfy { $0.message.contains("is outside the channel folder \(folder.path) or the S3 mirror") }, "\(report.problems)")
    }

    @Test func multiHotOfWrongLengthAndS3WithoutMirror() {
        let folder = makeFolder()
        var report = ValidationReport()
        var opts = options(folder, multi: true)
        opts.s3Mirror = nil
        let text = """
        {"source-ref": "a.jpg", "class": [1, 0]}
        {"source-ref": "s3://bucket/key.jpg", "class": [1, 0, 0]}
        """
        _ = AugmentedManifest.parse(text, file: "m", baseDirectory: folder, options: opts, report: &report)
        #expect(report.problems.count == 2)
        #expect(report.problems[0].message.contains("has 2 values but num_classes is 3"))
        #expect(report.problems[1].message.contains("no local S3 mirror"))
    }

    @Test func datasetOpenReadsAManifestChannel() throws {
        let folder = makeFolder()
        // An absolute reference inside the channel folder (one outside it is refused).
        let photo = folder.appendingPathComponent("photos/img1.jpg")
        try FileManager.default.createDirectory(at: photo.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: SourcesFixtures.tree.appendingPathComponent("cat/img1.jpg"), to: photo)
        SourcesFixtures.write("{\"source-ref\": \"\(photo.path)\", \"class\": \"1\"}\n", to: folder.appendingPathComponent("train.manifest"))
        let source = try Dataset.open(folder, options: .init(channel: "train", labels: LabelSpec(numClasses: 2),
                                                             attributeNames: ["source-ref", "class"]))
        #expect(source.count == 1)
        let raw = try source.load(at: 0)
        #expect(raw.labels == [1] && raw.bytes.count == 1966)
    }
}
