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

    /// Parses and validates `url`'s text. Every problem (column count, non-numeric or
    /// out-of-range label, duplicate index, missing file, a path escaping `root`) goes into
    /// the thrown report with its line number, all in one pass.
    /// - Parameters:
    ///   - root: the channel folder the paths are relative to.
    ///   - checkFiles: also check that every image file exists.
    public static func load(_ url: URL, root: URL, labels spec: LabelSpec,
                            checkFiles: Bool = true) throws(DatasetError) -> LstFile {
        let text = try FileKind.readText(url, expected: "a .lst list file")
        var report = ValidationReport()
        let list = parse(text, file: url.path, root: root, labels: spec, checkFiles: checkFiles, report: &report)
        try report.throwIfProblems()
        return list
    }

    /// Parses `text`, adding every problem to `report`; entries with problems are left out.
    public static func parse(_ text: String, file: String, root: URL, labels spec: LabelSpec,
                             checkFiles: Bool, report: inout ValidationReport) -> LstFile {
        var entries: [Entry] = []
        var firstLineOfIndex: [Int: Int] = [:]
        // Multi-label lists carry num_classes label columns; single-label lists carry one.
        let expectedLabels = spec.multiLabel ? spec.numClasses : 1
        var lineNumber = 0
        for line in TextLines.split(text) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
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
            var values: [Double] = []
            for column in labelColumns {
                switch LabelCheck.parse(column) {
                case .success(let value): values.append(value)
                case .failure(let p): report.add(file: file, line: lineNumber, p.message); ok = false
                }
            }
            // Range checks run on the parsed values, before any conversion that could trap or round.
            let labels = values.map { Float($0) }
            if ok {
                let problem = spec.multiLabel
                    ? LabelCheck.multiHotProblem(labels, numClasses: spec.numClasses)
                    : values.lazy.compactMap { LabelCheck.classIndexProblem($0, numClasses: spec.numClasses) }.first
                if let problem { report.add(file: file, line: lineNumber, problem); ok = false }
            }
            let path = String(columns[columns.count - 1])
            switch ChannelPath.resolve(path, under: root) {
            case .failure(let p):
                report.add(file: file, line: lineNumber, p.message); ok = false
            case .success(let url):
                if checkFiles, let problem = ChannelPath.imageFileProblem(url) {
                    report.add(file: file, line: lineNumber, problem); ok = false
                }
            }
            if ok, let index {
                entries.append(Entry(index: index, labels: labels, path: path, line: lineNumber))
            }
        }
        if entries.isEmpty && report.isEmpty {
            report.add(file: file, line: nil, "the list has no entries")
        }
        return LstFile(entries: entries)
    }

    /// The entries as loadable samples under `root`, named by list file and line.
    public func samples(root: URL, listName: String) -> [Sample] {
        entries.map {
            Sample(labels: $0.labels, file: root.appendingPathComponent($0.path),
                   reference: "\(listName):\($0.line) (\($0.path))")
        }
    }
}
