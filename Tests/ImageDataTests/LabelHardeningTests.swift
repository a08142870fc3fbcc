import Foundation
import TestFixtures
import Testing
import ImageData

/// Labels from hostile lists, manifests and records: refused with file, line or record and the
/// valid range, never trapping ("Float value cannot be converted to Int") or rounding.
@Suite(.removesTemporaryFolders) struct LabelHardeningTests {
    func lstProblems(_ lines: [String], labels: LabelSpec = LabelSpec(numClasses: 10)) throws -> [ValidationProblem] {
        try HostileInput.inFolder { folder in
            try HostileInput.write("x", to: folder.appendingPathComponent("a.jpg"))
            let lst = folder.appendingPathComponent("train.lst")
            try HostileInput.write(HostileInput.lf(lines), to: lst)
            do {
                _ = try LstFile.load(lst, root: folder, labels: labels)
                return []
            } catch {
                guard case DatasetError.invalid(let report) = error else { return [ValidationProblem(file: "", line: nil, message: "\(error)")] }
                #expect(report.problems.allSatisfy { $0.file == lst.path })
                // The lines with bad labels are counted once, with how to skip them.
                let summary = report.problems.filter { $0.line == nil }
                #expect(summary.count <= 1 && summary.allSatisfy { $0.message.contains("--skip-bad-labels") }, "\(summary)")
                return report.problems.filter { $0.line != nil }
            }
        }
    }

    @Test func hugeLabelOrIndexInALstIsOutOfRange() throws {
        let problems = try lstProblems(["0\t1e30\ta.jpg", "1e30\t1\ta.jpg", "2\t-1e30\ta.jpg"])
        #expect(problems.map(\.line) == [1, 2, 3])
        #expect(problems[0].message.contains("out of range") && problems[0].message.contains("[0, 10)"))
        #expect(problems[1].message.contains("index '1e30' is not a non-negative integer"))
        #expect(problems[2].message.contains("negative"))
        // Without num_classes, the float32 limit still applies.
        let unbounded = try lstProblems(["0\t1e30\ta.jpg"], labels: LabelSpec(numClasses: nil))
        #expect(unbounded.count == 1 && unbounded[0].message.contains("[0, 16777216)"))
    }

    @Test func nanInfinityHexAndFractionsAreRefusedInALst() throws {
        let problems = try lstProblems(["0\tnan\ta.jpg", "1\tinf\ta.jpg", "2\t0x3\ta.jpg", "3\t3.0000001\ta.jpg",
                                        "4\t3.000000\ta.jpg", "5\t3\ta.jpg", "6\t30e-1\ta.jpg", "7\t1e-30\ta.jpg"])
        #expect(problems.map(\.line) == [1, 2, 3, 4, 8])
        #expect(problems[0].message.contains("'nan' is not a number"))
        #expect(problems[1].message.contains("'inf' is not a number"))
        #expect(problems[2].message.contains("'0x3' is not a number"))
        #expect(problems[3].message.contains("'3.0000001' is not an integer"))
        #expect(problems[4].message.contains("'1e-30' is not an integer"))
    }

    func manifestProblems(_ labels: [String], spec: LabelSpec = LabelSpec(numClasses: 10),
                          format: ManifestLabelFormat = .multiHot) throws -> [ValidationProblem] {
        try HostileInput.inFolder { folder in
            try HostileInput.write("x", to: folder.appendingPathComponent("a.jpg"))
            let text = HostileInput.lf(labels.map { "{\"source-ref\": \"a.jpg\", \"class\": \($0)}" })
            var report = ValidationReport()
            _ = AugmentedManifest.parse(text, file: "train.manifest", baseDirectory: folder,
                                        options: ManifestOptions(attributeNames: ["source-ref", "class"], labels: spec, labelFormat: format),
                                        report: &report)
            return report.problems
        }
    }

    @Test func hugeManifestLabelsAreOutOfRange() throws {
        let problems = try manifestProblems(["1e30", "\"1e30\"", "[1e30]", "\"[1e30]\"", "9223372036854775807"])
        #expect(problems.map(\.line) == [1, 2, 3, 4, 5])
        #expect(problems.allSatisfy { $0.message.contains("out of range") && $0.message.contains("[0, 10)") }, "\(problems)")
        let ids = try manifestProblems(["[0, 1e30]"], spec: LabelSpec(numClasses: nil, multiLabel: true), format: .classID)
        #expect(ids.count == 1 && ids[0].message.contains("out of range"))
    }

    @Test func booleansHexAndFractionsAreRefusedInAManifest() throws {
        let problems = try manifestProblems(["true", "false", "\"0x3\"", "3.0000001", "\"3.0000001\"", "[true]", "3.000000", "\"3\""])
        #expect(problems.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(problems[0].message.contains("boolean"))
        #expect(problems[1].message.contains("boolean"))
        #expect(problems[2].message.contains("'0x3' is not a number"))
        #expect(problems[3].message.contains("not an integer"))
        #expect(problems[4].message.contains("not an integer"))
        #expect(problems[5].message.contains("boolean"))
    }

    @Test func recordLabelsOfRecFilesAreCheckedWithoutTrapping() throws {
        try HostileInput.inFolder { folder in
            let rec = folder.appendingPathComponent("train.rec")
            try HostileInput.recordFile(labels: [1e30, .nan, -.infinity, 1], at: rec)
            let source = try RecordFileSource(url: rec, labels: LabelSpec(numClasses: nil))
            let messages = (0..<3).map { i -> String in
                do { _ = try source.load(at: i); return "" } catch { return "\(error)" }
            }
            #expect(messages[0].contains("train.rec record 0") && messages[0].contains("out of range"))
            #expect(messages[1].contains("record 1") && messages[1].contains("not a finite number"))
            #expect(messages[2].contains("record 2") && messages[2].contains("not a finite number"))
            #expect(try source.load(at: 3).labels == [1])
        }
    }

    /// Pipe mode checks labels as File mode does. A bad label fails the epoch, naming the
    /// record; with skipping allowed, the loader skips the bad records, naming each.
    @Test func pipeModeRecordsWithBadLabelsAreRefusedByRecordNumber() throws {
        try HostileInput.inFolder { folder in
            let stream = folder.appendingPathComponent("train_0")
            try HostileInput.recordFile(labels: [1, .nan, 7, 1e30, 0], at: stream)
            let spec = LabelSpec(numClasses: 2)
            var reader = PipeRecordStream(fileHandle: try FileHandle(forReadingFrom: stream), source: stream.path,
                                          layout: .imageRecords, labels: spec)
            var outcomes: [String] = []
            while true {
                do {
                    guard let sample = try reader.next() else { break }
                    outcomes.append("ok \(sample.labels)")
                } catch {
                    outcomes.append("\(error)")
                }
            }
            #expect(outcomes.count == 5)
            #expect(outcomes[0] == "ok [1.0]" && outcomes[4] == "ok [0.0]")
            #expect(outcomes[1].contains("train_0 record 1") && outcomes[1].contains("not a finite number"))
            #expect(outcomes[2].contains("train_0 record 2") && outcomes[2].contains("num_classes is 2") && outcomes[2].contains("[0, 2)"))
            #expect(outcomes[3].contains("train_0 record 3") && outcomes[3].contains("out of range"))

            let strict = try BatchLoader(stream: { _ in
                PipeRecordStream(fileHandle: try FileHandle(forReadingFrom: stream), source: stream.path,
                                 layout: .imageRecords, labels: spec)
            }, augmenter: Augmenter(imageShape: [3, 4, 4], resize: nil, params: .none), config: LoaderConfig(batchSize: 8, threads: 1))
            try strict.startEpoch(0)
            do {
                while try strict.next() != nil {}
                Issue.record("a pipe with bad labels was read to its end")
            } catch {
                #expect("\(error)".contains("train_0 record 1") && "\(error)".contains("invalid label"), "\(error)")
            }

            let warnings = WarningLog()
            let loader = try BatchLoader(stream: { _ in
                PipeRecordStream(fileHandle: try FileHandle(forReadingFrom: stream), source: stream.path,
                                 layout: .imageRecords, labels: spec, badLabelsFail: false)
            }, augmenter: Augmenter(imageShape: [3, 4, 4], resize: nil, params: .none), config: LoaderConfig(batchSize: 8, threads: 1, warn: { warnings.add($0) }))
            try loader.startEpoch(0)
            var labels: [Float] = []
            while let batch = try loader.next() { labels += batch.labels.prefix(batch.count) }
            #expect(labels == [1, 0])
            #expect(warnings.all.count == 3 && warnings.all.allSatisfy { $0.contains("train_0 record") })
        }
    }
}
