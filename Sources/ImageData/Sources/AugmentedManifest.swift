import Foundation
import Support

/// How a manifest's array labels are written: `[1, 0, 1]` (multi-hot, the default) or
/// `[0, 2]` (class ids). Chosen by the content type's `label-format` parameter.
public enum ManifestLabelFormat: String, Sendable, Equatable {
    case multiHot = "multi-hot"
    case classID = "class-id"

    /// Reads `label-format=...` from a content type such as
    /// `application/x-recordio; label-format=class-id`; multi-hot when absent.
    public static func from(contentType: String) throws(DatasetError) -> ManifestLabelFormat {
        for part in contentType.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, kv[0] == "label-format" else { continue }
            guard let format = ManifestLabelFormat(rawValue: kv[1]) else {
                var report = ValidationReport()
                report.add(file: "content type '\(contentType)'", "label-format '\(kv[1])' is not multi-hot or class-id")
                throw .invalid(report)
            }
            return format
        }
        return .multiHot
    }
}

/// Where a manifest's references point on this machine.
public struct ManifestOptions: Sendable {
    /// `AttributeNames`: the image reference key first (ending in `-ref`), then the label key.
    public var attributeNames: [String]
    public var labels: LabelSpec
    public var labelFormat: ManifestLabelFormat
    /// Local folder standing in for S3: `s3://bucket/key` is read from `s3Mirror/bucket/key`.
    public var s3Mirror: URL?
    /// Check that every referenced file exists.
    public var checkFiles: Bool

    public init(attributeNames: [String], labels: LabelSpec, labelFormat: ManifestLabelFormat = .multiHot,
                s3Mirror: URL? = nil, checkFiles: Bool = true) {
        self.attributeNames = attributeNames
        self.labels = labels
        self.labelFormat = labelFormat
        self.s3Mirror = s3Mirror
        self.checkFiles = checkFiles
    }
}

/// A JSON Lines augmented manifest: one JSON object per line, the image reference and the
/// label under the keys `AttributeNames` names; other keys are metadata and ignored.
public enum AugmentedManifest {
    /// A manifest's AttributeNames when none were given: the `*-ref` key, then the one
    /// other key of the first line that is not metadata.
    public static func guessAttributeNames(_ url: URL) throws(DatasetError) -> [String] {
        // A FIFO or device is refused by name instead of blocking the read.
        let text = try FileKind.readText(url, expected: "a JSON Lines manifest file")
        guard let line = TextLines.split(text).first(where: { !$0.isEmpty }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw .unreadable(path: url.path, reason: "line 1 is not a JSON object")
        }
        let keys = object.keys.sorted()
        let refs = keys.filter { $0.hasSuffix("-ref") }
        let others = keys.filter { !$0.hasSuffix("-ref") && !$0.hasSuffix("-metadata") }
        guard refs.count == 1, others.count == 1 else {
            throw .unrecognizedLayout(channel: url.lastPathComponent,
                detail: "cannot tell which keys hold the image and the label (found \(keys.joined(separator: ", "))); give --attribute-names REF,LABEL")
        }
        return [refs[0], others[0]]
    }

    /// Parses and validates the manifest at `url`; every problem (invalid JSON, missing
    /// attribute, bad label, missing file, unmappable reference) is reported with its line.
    public static func load(_ url: URL, options: ManifestOptions) throws(DatasetError) -> FileSampleSource {
        let text = try FileKind.readText(url, expected: "a JSON Lines manifest file")
        var report = ValidationReport()
        let samples = parse(text, file: url.path, baseDirectory: url.deletingLastPathComponent(),
                            options: options, report: &report)
        try report.throwIfProblems()
        return FileSampleSource(samples: samples)
    }

    /// Parses `text`, adding every problem to `report`; lines with problems are left out.
    public static func parse(_ text: String, file: String, baseDirectory: URL, options: ManifestOptions,
                             report: inout ValidationReport) -> [Sample] {
        guard options.attributeNames.count >= 2 else {
            report.add(file: file, "AttributeNames must name the image reference key and the label key, got \(options.attributeNames)")
            return []
        }
        let refKey = options.attributeNames[0], labelKey = options.attributeNames[1]
        var samples: [Sample] = []
        var lineNumber = 0
        for raw in TextLines.split(text) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let object: [String: Any]
            do {
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    report.add(file: file, line: lineNumber, "expected a JSON object on each line")
                    continue
                }
                object = o
            } catch {
                report.add(file: file, line: lineNumber, "invalid JSON: \(line.prefix(80))")
                continue
            }
            // JSONSerialization keeps one of two values silently: which label was meant is unknown.
            if let key = JSONDuplicateKeys.first(in: Data(line.utf8)) {
                report.add(file: file, line: lineNumber, "the key \"\(key)\" appears twice on this line; give each attribute once")
                continue
            }
            var ok = true
            var imageURL: URL?
            if let ref = object[refKey] as? String {
                switch resolve(reference: ref, baseDirectory: baseDirectory, s3Mirror: options.s3Mirror) {
                case .success(let u):
                    if options.checkFiles, let problem = ChannelPath.imageFileProblem(u) {
                        report.add(file: file, line: lineNumber, "\(problem) (from '\(ref)')"); ok = false
                    }
                    imageURL = u
                case .failure(let p):
                    report.add(file: file, line: lineNumber, p.message); ok = false
                }
            } else {
                report.add(file: file, line: lineNumber, object[refKey] == nil
                           ? "missing attribute '\(refKey)' (the image reference named first in AttributeNames)"
                           : "attribute '\(refKey)' must be a string path or URL"); ok = false
            }
            var labels: [Float] = []
            if let value = object[labelKey] {
                switch parseLabel(value, options: options) {
                case .success(let l): labels = l
                case .failure(let p): report.add(file: file, line: lineNumber, "attribute '\(labelKey)': \(p.message)"); ok = false
                }
            } else {
                report.add(file: file, line: lineNumber, "missing attribute '\(labelKey)' (the label named second in AttributeNames)"); ok = false
            }
            if ok, let imageURL {
                samples.append(Sample(labels: labels, file: imageURL, reference: "\(file):\(lineNumber)"))
            }
        }
        if samples.isEmpty && report.isEmpty { report.add(file: file, "the manifest has no entries") }
        return samples
    }

    /// Maps a reference (path, `file://` URL, `s3://bucket/key`) to a local file.
    static func resolve(reference: String, baseDirectory: URL, s3Mirror: URL?) -> Result<URL, InputProblem> {
        if reference.hasPrefix("s3://") {
            guard let mirror = s3Mirror else {
                return .failure(.init(message: "reference '\(reference)' is an S3 URL but no local S3 mirror folder was given"))
            }
            let key = String(reference.dropFirst(5))
            return ChannelPath.resolve(key, under: mirror)
        }
        if reference.hasPrefix("file://") {
            guard let u = URL(string: reference), u.isFileURL else {
                return .failure(.init(message: "reference '\(reference)' is not a valid file URL"))
            }
            return confined(u, reference: reference, baseDirectory: baseDirectory, s3Mirror: s3Mirror)
        }
        if reference.contains("://") {
            return .failure(.init(message: "reference '\(reference)' uses an unsupported scheme (use a path, file:// or s3://)"))
        }
        if reference.hasPrefix("/") {
            return confined(URL(fileURLWithPath: reference), reference: reference, baseDirectory: baseDirectory, s3Mirror: s3Mirror)
        }
        return ChannelPath.resolve(reference, under: baseDirectory)
    }

    /// An absolute reference is read only inside the channel folder or the S3 mirror, as a
    /// `..` already is: a manifest must not make training read any file of the machine.
    static func confined(_ url: URL, reference: String, baseDirectory: URL, s3Mirror: URL?) -> Result<URL, InputProblem> {
        func real(_ path: String) -> String { CanonicalPath.of(path) ?? URL(fileURLWithPath: path).standardized.path }
        let target = real(url.path)
        for root in [baseDirectory] + (s3Mirror.map { [$0] } ?? []) {
            let folder = real(root.path)
            if target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") { return .success(url) }
        }
        let allowed = "the channel folder \(baseDirectory.path)" + (s3Mirror.map { " or the S3 mirror \($0.path)" } ?? "")
        return .failure(.init(message: "reference '\(reference)' is outside \(allowed); give a path relative to the manifest"))
    }

    /// Turns a label value (number, numeric string, JSON array, array in a string) into the
    /// floats a batch holds: one class index, or a multi-hot vector. Every value must be a whole
    /// number: `true`, `"0x3"` and `3.0000001` are refused, not read as 1, 3 and 3.
    public static func parseLabel(_ value: Any, options: ManifestOptions) -> Result<[Float], InputProblem> {
        let spec = options.labels
        var numbers: [Double]
        var isArray = false
        if let s = value as? String {
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("[") {
                guard let data = t.data(using: .utf8),
                      let arr = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                    return .failure(.init(message: "'\(s)' is not a JSON array of numbers"))
                }
                switch numbersOf(arr) {
                case .success(let nums): numbers = nums
                case .failure(let p): return .failure(p)
                }
                isArray = true
            } else {
                switch LabelCheck.parse(Substring(t)) {
                case .success(let v): numbers = [v]
                case .failure(let p): return .failure(p)
                }
            }
        } else if let arr = value as? [Any] {
            switch numbersOf(arr) {
            case .success(let nums): numbers = nums
            case .failure(let p): return .failure(p)
            }
            isArray = true
        } else if let n = jsonNumber(value) {
            numbers = [n]
        } else {
            return .failure(.init(message: "expected a number, a numeric string or an array of numbers, found \(jsonKind(value))"))
        }
        if !spec.multiLabel {
            guard numbers.count == 1 else {
                return .failure(.init(message: "an array of \(numbers.count) labels was given but multi_label is 0"))
            }
            if let p = LabelCheck.classIndexProblem(numbers[0], numClasses: spec.numClasses) { return .failure(.init(message: p)) }
            return .success([Float(numbers[0])])
        }
        if !isArray && numbers.count == 1 {
            // A lone class id in a multi-label manifest still means one class.
            if let p = LabelCheck.classIndexProblem(numbers[0], numClasses: spec.numClasses) { return .failure(.init(message: p)) }
            return .success(multiHot(classIDs: numbers, numClasses: spec.numClasses))
        }
        switch options.labelFormat {
        case .multiHot:
            let values = numbers.map { Float($0) }
            if let p = LabelCheck.multiHotProblem(values, numClasses: spec.numClasses) { return .failure(.init(message: p + " (label-format=multi-hot)")) }
            return .success(values)
        case .classID:
            for v in numbers {
                if let p = LabelCheck.classIndexProblem(v, numClasses: spec.numClasses) { return .failure(.init(message: p + " (label-format=class-id)")) }
            }
            return .success(multiHot(classIDs: numbers, numClasses: spec.numClasses))
        }
    }

    /// The values of a JSON array of numbers (or numeric strings).
    private static func numbersOf(_ arr: [Any]) -> Result<[Double], InputProblem> {
        var out: [Double] = []
        for v in arr {
            if let n = jsonNumber(v) { out.append(n) }
            else if let s = v as? String {
                switch LabelCheck.parse(Substring(s)) {
                case .success(let f): out.append(f)
                case .failure(let p): return .failure(p)
                }
            } else {
                return .failure(.init(message: "array holds \(jsonKind(v)), which is not a number"))
            }
        }
        return .success(out)
    }

    /// A JSON number's value; nil for anything else, `true` and `false` included (Foundation
    /// hands those over as numbers too, and they would read as 1 and 0).
    private static func jsonNumber(_ value: Any) -> Double? {
        guard !isBoolean(value), let n = value as? NSNumber else { return nil }
        return n.doubleValue
    }

    /// JSON `true` and `false`: a Swift Bool, or (as Foundation's JSON reader gives them) an
    /// NSNumber of C type `char`, where numbers are `int`, `long long` or `double`. (`is Bool`
    /// cannot tell: it also holds for the numbers 0 and 1.)
    private static func isBoolean(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    /// What a JSON value is, for a message.
    private static func jsonKind(_ value: Any) -> String {
        if isBoolean(value) { return "the boolean \((value as? NSNumber)?.boolValue ?? (value as? Bool) ?? false)" }
        if value is NSNull { return "null" }
        if value is [String: Any] { return "an object" }
        return "\(type(of: value))"
    }

    /// Class ids already checked by `LabelCheck.classIndexProblem` (whole, in range, below 2^24).
    private static func multiHot(classIDs: [Double], numClasses: Int?) -> [Float] {
        let n = numClasses ?? (Int(classIDs.max() ?? 0) + 1)
        var v = [Float](repeating: 0, count: n)
        for c in classIDs { v[Int(c)] = 1 }
        return v
    }
}
