import Data
import Foundation

/// The labelled data `evaluate` reads: a channel folder (any layout `Dataset.open` reads), or
/// a single file: a `.rec` (with its `.idx` beside it, if any) or, with attribute names, an
/// augmented manifest.
public enum EvaluationData {
    public static func open(_ url: URL, options: Dataset.Options) throws -> any SampleSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FileProblem(path: url.path, detail: "no such file or folder")
        }
        if isDirectory.boolValue { return try Dataset.open(url, options: options) }
        let ext = url.pathExtension.lowercased()
        if ext == "rec" { return try RecordFileSource(url: url, labels: options.labels) }
        if let names = options.attributeNames, ["manifest", "jsonl", "json"].contains(ext) {
            let format = try ManifestLabelFormat.from(contentType: options.contentType ?? "")
            return try AugmentedManifest.load(url, options: ManifestOptions(
                attributeNames: names, labels: options.labels, labelFormat: format, s3Mirror: options.s3Mirror))
        }
        throw FileProblem(path: url.path, detail: "expected a channel folder, a .rec file, or (with --attribute-names) a .manifest/.jsonl/.json augmented manifest")
    }
}
