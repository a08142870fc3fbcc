import Foundation
import TestFixtures
import Testing
import ImageData

@Suite(.removesTemporaryFolders) struct LstTests {
    let root = URL(fileURLWithPath: "/")

    @Test func fixtureListFromIm2recParsesOverTheFixtureTree() throws {
        let list = try LstFile.load(SourcesFixtures.treeList,
                                    root: SourcesFixtures.tree, labels: LabelSpec(numClasses: 3))
        #expect(list.entries.count == 14)
        let first = try #require(list.entries.first)
        #expect(first.index == 10 && first.labels == [2] && first.path == "dog/img1.jpg" && first.line == 1)
        let byPath = Dictionary(uniqueKeysWithValues: list.entries.map { ($0.path, $0.labels[0]) })
        #expect(byPath["Zebra/img0.png"] == 0 && byPath["cat/gray.png"] == 1 && byPath["dog/rgba.png"] == 2)
        let samples = list.samples(root: SourcesFixtures.tree, listName: "images.lst")
        #expect(samples[0].reference == "images.lst:1 (dog/img1.jpg)")
        #expect(FileManager.default.fileExists(atPath: samples[13].file.path))
    }

    @Test func everySeededErrorIsReportedWithItsLineInOneRun() throws {
        let folder = SourcesFixtures.temporaryFolder()
        SourcesFixtures.write("x", to: folder.appendingPathComponent("a.jpg"))
        let text = """
        0\t1.000000\ta.jpg
        1\t1.0\t2.0\ta.jpg
        2\tcat\ta.jpg
        3\t7\ta.jpg
        0\t1\ta.jpg
        5\t1\tmissing.jpg
        6\t1\t../outside.jpg
        7\t1.5\ta.jpg
        seven\t1\ta.jpg
        9\ta.jpg

        10\t2\ta.jpg
        """
        var report = ValidationReport()
        let list = LstFile.parse(text, file: "train.lst", root: folder, labels: LabelSpec(numClasses: 3),
                                 checkFiles: true, report: &report)
        let lines = report.problems.map { $0.line ?? 0 }
        #expect(lines == [2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(report.problems[0].message.contains("expected 3 columns"))
        #expect(report.problems[1].message.contains("'cat' is not a number"))
        #expect(report.problems[2].message.contains("out of range"))
        #expect(report.problems[3].message.contains("duplicate index 0 (first used on line 1)"))
        #expect(report.problems[4].message.contains("not found"))
        #expect(report.problems[5].message.contains("escapes the channel folder"))
        #expect(report.problems[6].message.contains("not an integer"))
        #expect(report.problems[7].message.contains("not a non-negative integer"))
        #expect(report.description.contains("train.lst:4: label 7 is out of range"))
        #expect(list.entries.map(\.index) == [0, 10])
    }

    @Test func loadThrowsTheWholeReport() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let lst = folder.appendingPathComponent("bad.lst")
        SourcesFixtures.write("0\t9\tnope.jpg\n1\tx\tnope2.jpg\n", to: lst)
        #expect {
            _ = try LstFile.load(lst, root: folder, labels: LabelSpec(numClasses: 2))
        } throws: { error in
            guard case DatasetError.invalid(let report) = error else { return false }
            return report.problems.count == 4 && report.problems.allSatisfy { $0.file == lst.path }
        }
    }

    @Test func multiHotColumnsForMultiLabel() throws {
        let folder = SourcesFixtures.temporaryFolder()
        SourcesFixtures.write("x", to: folder.appendingPathComponent("a.jpg"))
        var report = ValidationReport()
        let text = "0\t1\t0\t1\ta.jpg\n1\t1\t0\ta.jpg\n2\t1\t0.5\t0\ta.jpg\n3\t-1\t0\t0\ta.jpg\n"
        let list = LstFile.parse(text, file: "m.lst", root: folder, labels: LabelSpec(numClasses: 3, multiLabel: true),
                                 checkFiles: true, report: &report)
        #expect(list.entries.count == 1 && list.entries[0].labels == [1, 0, 1])
        #expect(report.problems.map { $0.line } == [2, 3, 4])
        #expect(report.problems[0].message.contains("expected 5 columns"))
        #expect(report.problems[1].message.contains("'0.5' is not an integer"))
        #expect(report.problems[2].message.contains("value -1 is not 0 or 1"))
    }

    /// The service's multi-label example notebook writes a 2 into a multi-hot row; MXNet
    /// trains on it as a positive label, so imgclf does too, with one warning naming the lines.
    @Test func multiHotValuesAboveOneArePositive() throws {
        let folder = SourcesFixtures.temporaryFolder()
        SourcesFixtures.write("x", to: folder.appendingPathComponent("a.jpg"))
        let lst = folder.appendingPathComponent("m.lst")
        SourcesFixtures.write("0\t1\t0\t1\ta.jpg\n1\t2\t0\t1\ta.jpg\n2\t0\t0\t0\ta.jpg\n3\t0\t3\t2\ta.jpg\n", to: lst)
        let warnings = WarningLog()
        let list = try LstFile.load(lst, root: folder, labels: LabelSpec(numClasses: 3, multiLabel: true), warn: warnings.add)
        #expect(list.entries.map(\.labels) == [[1, 0, 1], [1, 0, 1], [0, 0, 0], [0, 1, 1]])
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains("2 lines hold multi-hot values above 1, read as 1") == true, "\(warnings.all)")
        #expect(warnings.all.first?.contains("lines 2, 4") == true && warnings.all.first?.contains(lst.path) == true)
        // Non-numeric and non-finite values stay errors.
        SourcesFixtures.write("0\t1\t0\tx\ta.jpg\n1\t1\t0\tinf\ta.jpg\n", to: lst)
        #expect { _ = try LstFile.load(lst, root: folder, labels: LabelSpec(numClasses: 3, multiLabel: true)) } throws: { error in
            guard case DatasetError.invalid(let report) = error else { return false }
            return report.problems.compactMap(\.line) == [1, 2]
        }
    }

    /// `--skip-bad-labels` covers a list as it covers a `.rec`: lines whose labels alone are
    /// invalid are left out while they are at most the allowed share; above it, or with the
    /// default 0, they fail with the count and how to allow them. Other problems always fail.
    @Test func badLabelLinesAreSkippedWithinTheAllowance() throws {
        let folder = SourcesFixtures.temporaryFolder()
        SourcesFixtures.write("x", to: folder.appendingPathComponent("a.jpg"))
        let lst = folder.appendingPathComponent("train.lst")
        let good = (0..<8).map { "\($0)\t\($0 % 3)\ta.jpg" }
        SourcesFixtures.write((good + ["8\t7\ta.jpg", "9\tcat\ta.jpg"]).joined(separator: "\n") + "\n", to: lst)
        let spec = LabelSpec(numClasses: 3)
        #expect { _ = try LstFile.load(lst, root: folder, labels: spec) } throws: { error in
            guard case DatasetError.invalid(let report) = error else { return false }
            return report.problems.compactMap(\.line) == [9, 10]
                && report.description.contains("2 of 10 lines (20.00%) have invalid labels; none may be skipped unless --skip-bad-labels FRACTION allows it")
        }
        #expect { _ = try LstFile.load(lst, root: folder, labels: spec, badLabelAllowance: 0.1) } throws: { error in
            "\(error)".contains("more than the allowed 0.1")
        }
        let warnings = WarningLog()
        let list = try LstFile.load(lst, root: folder, labels: spec, badLabelAllowance: 0.2, warn: warnings.add)
        #expect(list.entries.map(\.index) == Array(0..<8))
        #expect(warnings.all.count == 1 && warnings.all[0].contains("skipping 2 of 10 lines (20.00%)"), "\(warnings.all)")
        #expect(warnings.all[0].contains("train.lst:9: label 7 is out of range"))
        // A missing file is not a label: it fails whatever the allowance.
        SourcesFixtures.write((good + ["8\t7\ta.jpg", "9\t1\tmissing.jpg"]).joined(separator: "\n") + "\n", to: lst)
        #expect { _ = try LstFile.load(lst, root: folder, labels: spec, badLabelAllowance: 0.5) } throws: { error in
            guard case DatasetError.invalid(let report) = error else { return false }
            return report.problems.compactMap(\.line) == [10] && report.problems[0].message.contains("not found")
        }
    }

    /// "/" followed by a combining mark is one Character to Swift but a separator to the file
    /// system: "../\u{301}x" climbs out of the channel and must be refused as "../x" is.
    @Test func aCombiningMarkAfterASlashStillSeparates() {
        var report = ValidationReport()
        _ = LstFile.parse("0\t1\t../\u{301}etc/passwd\n1\t1\t/\u{301}x\n", file: "a.lst", root: root, labels: LabelSpec(numClasses: 2),
                          checkFiles: false, report: &report)
        #expect(report.problems.map(\.line) == [1, 2])
        #expect(report.problems.first?.message.contains("escapes the channel folder") == true, "\(report.problems)")
        #expect(report.problems.last?.message.contains("absolute") == true, "\(report.problems)")
    }

    @Test func absolutePathsAreRefused() {
        var report = ValidationReport()
        _ = LstFile.parse("0\t1\t/etc/passwd\n", file: "a.lst", root: root, labels: LabelSpec(numClasses: 2),
                          checkFiles: false, report: &report)
        #expect(report.problems.first?.message.contains("absolute") == true)
    }

    @Test func datasetOpenReadsImagesWithAList() throws {
        let source = try Dataset.open(SourcesFixtures.tree, options: .init(
            channel: "train", labels: LabelSpec(numClasses: 3), lst: SourcesFixtures.treeList))
        #expect(source.count == 14)
        let raw = try source.load(at: 1)
        #expect(raw.labels == [0] && raw.reference.contains("Zebra/img1.jpg") && raw.bytes.count == 2803)
    }
}

