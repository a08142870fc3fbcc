import Foundation

/// A parsed `.lst` file: `index<TAB>label[<TAB>label...]<TAB>relative/path` per line, as
/// MXNet's im2rec writes it. Several label columns mean a multi-hot multi-label sample.
public struct LstFile: Sendable {
    /// One line of the list.
    public struct Entry: Sendable, Equatable {
        public var index: Int
        public var labels: [Float]
        public var path: String
        /// 1-based line number in the file.
        public var line: Int
    }

    public var entries: [Entry]
    /// Lines whose only problems are their labels (a bad number, out of range, not multi-hot),
    /// which `--skip-bad-labels` may leave out; their problems are in the parse report too.
    public var badLabelLines: [Int] = []
    /// Lines read (blank lines aside): the whole a share of bad labels is taken of.
    public var linesRead = 0
    /// Multi-label lines holding a value above 1, read as a positive label (1).
    public var aboveOneLines: [Int] = []

    /// Parses and validates `url`'s text. Every problem (column count, non-numeric or
    /// out-of-range label, duplicate index, missing file, a path escaping `root`) goes into
    /// the thrown report with its line number, all in one pass.
    /// - Parameters:
    ///   - root: the channel folder the paths are relative to.
    ///   - checkFiles: also check that every image file exists.
    ///   - badLabelAllowance: the share of lines whose labels alone are invalid that may be
    ///     left out (with a warning) rather than fail the list (`--skip-bad-labels`, as for a `.rec`).
    ///   - warn: where the warnings go (lines left out, multi-hot values above 1 read as 1).
    public static func load(_ url: URL, root: URL, labels spec: LabelSpec, checkFiles: Bool = true,
                            badLabelAllowance: Double = 0,
                            warn: (String) -> Void = { LoaderConfig.standardError($0) }) throws(DatasetError) -> LstFile {
        let text = try FileKind.readText(url, expected: "a .lst list file")
        var report = ValidationReport()
        var list = parse(text, file: url.path, root: root, labels: spec, checkFiles: checkFiles, report: &report)
        if !list.badLabelLines.isEmpty {
            let share = Double(list.badLabelLines.count) / Double(max(1, list.linesRead))
            let counted = "\(list.badLabelLines.count) of \(list.linesRead) lines (\(String(format: "%.2f%%", share * 100)))"
            if share <= badLabelAllowance {
                let skipped = Set(list.badLabelLines)
                let first = report.problems.filter { $0.line.map(skipped.contains) == true }.prefix(3).map(\.description)
                warn("\(url.path): skipping \(counted) with invalid labels (allowed: \(badLabelAllowance)); first: \(first.joined(separator: "; "))")
                report = report.removing(lines: skipped)
                list.badLabelLines = []
            } else {
                let allowed = badLabelAllowance > 0 ? "more than the allowed \(badLabelAllowance)"
                    : "none may be skipped unless --skip-bad-labels FRACTION allows it"
                report.add(file: url.path, "\(counted) have invalid labels; \(allowed)")
            }
        }
        if report.isEmpty, !list.aboveOneLines.isEmpty {
            let lines = list.aboveOneLines
            warn("\(url.path): \(lines.count) line\(lines.count == 1 ? "" : "s") hold multi-hot values above 1, read as 1 (a positive label), as MXNet reads them: line\(lines.count == 1 ? "" : "s") \(lines.prefix(5).map(String.init).joined(separator: ", "))\(lines.count > 5 ? ", ..." : "")")
        }
        try report.throwIfProblems()
        return list
    }

    /// Parses `text`, adding every problem to `report`; entries with problems are left out.
    public static func parse(_ text: String, file: String, root: URL, labels spec: LabelSpec,
                             checkFiles: Bool, report: inout ValidationReport) -> LstFile {
        var entries: [Entry] = []
        var badLabelLines: [Int] = [], aboveOneLines: [Int] = [], linesRead = 0
        var firstLineOfIndex: [Int: Int] = [:]
        // Multi-label lists carry num_classes label columns; single-label lists carry one.
        let expectedLabels = spec.multiLabel ? spec.numClasses : 1
        var lineNumber = 0
        for line in TextLines.split(text) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            linesRead += 1
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 3 else {
                report.add(file: file, line: lineNumber,
                           "expected index<TAB>label<TAB>path (at least 3 tab-separated columns), found \(columns.count)")
                continue
            }
            let labelColumns = columns[1..<(columns.count - 1)]
            var ok = true
            if let expected = expectedLabels, labelColumns.count != expected {
                report.add(file: file, line: lineNumber,
                           "expected \(expected + 2) columns (index, \(expected) label\(expected == 1 ? "" : "s"), path), found \(columns.count)")
                ok = false
            }
            let indexText = columns[0].trimmingCharacters(in: .whitespaces)
            // Exact when written as an integer; "3.000000" also passes, as a whole decimal number.
            let index = Int(indexText) ?? (try? LabelCheck.parse(Substring(indexText)).get()).flatMap { Int(exactly: $0) }
            if let index, index >= 0 {
                if let first = firstLineOfIndex[index] {
                    report.add(file: file, line: lineNumber, "duplicate index \(index) (first used on line \(first))")
                    ok = false
                } else {
                    firstLineOfIndex[index] = lineNumber
                }
            } else {
                report.add(file: file, line: lineNumber, "index '\(indexText)' is not a non-negative integer (expected a whole number in [0, \(Int.max)])")
                ok = false
            }
            // Problems of the labels alone are kept apart: --skip-bad-labels may leave such lines out.
            let structureOK = ok
            var labelsOK = true
            var values: [Double] = []
            for column in labelColumns {
                switch LabelCheck.parse(column) {
                case .success(let value): values.append(value)
                case .failure(let p): report.add(file: file, line: lineNumber, p.message); labelsOK = false
                }
            }
            // Range checks run on the parsed values, before any conversion that could trap or round.
            var labels = values.map { Float($0) }
            if structureOK && labelsOK {
                if spec.multiLabel, let positive = LabelCheck.multiHotAboveOneAsPositive(labels) {
                    labels = positive
                    aboveOneLines.append(lineNumber)
                }
                let problem = spec.multiLabel
                    ? LabelCheck.multiHotProblem(labels, numClasses: spec.numClasses)
                    : values.lazy.compactMap { LabelCheck.classIndexProblem($0, numClasses: spec.numClasses) }.first
                if let problem { report.add(file: file, line: lineNumber, problem); labelsOK = false }
            }
            ok = ok && labelsOK
            let path = String(columns[columns.count - 1])
            var pathOK = true
            switch ChannelPath.resolve(path, under: root) {
            case .failure(let p):
                report.add(file: file, line: lineNumber, p.message); pathOK = false
            case .success(let url):
                if checkFiles, let problem = ChannelPath.imageFileProblem(url) {
                    report.add(file: file, line: lineNumber, problem); pathOK = false
                }
            }
            ok = ok && pathOK
            if ok, let index {
                entries.append(Entry(index: index, labels: labels, path: path, line: lineNumber))
            } else if pathOK && structureOK && !labelsOK {
                badLabelLines.append(lineNumber)
            }
            if !ok, aboveOneLines.last == lineNumber { aboveOneLines.removeLast() }
        }
        if entries.isEmpty && report.isEmpty && badLabelLines.isEmpty {
            report.add(file: file, line: nil, "the list has no entries")
        }
        return LstFile(entries: entries, badLabelLines: badLabelLines, linesRead: linesRead, aboveOneLines: aboveOneLines)
    }

    /// The entries as loadable samples under `root`, named by list file and line.
    public func samples(root: URL, listName: String) -> [Sample] {
        entries.map {
            Sample(labels: $0.labels, file: root.appendingPathComponent($0.path),
                   reference: "\(listName):\($0.line) (\($0.path))")
        }
    }
}
