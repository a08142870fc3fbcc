import ImageData
import Models
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

    /// `options` with class sub-folders matched to `predictor`'s classes by name when the
    /// model names them (our `classes.json`); a model without names (MXNet's, the service's)
    /// numbers them by sorted position, as before, and the data's reading says so once.
    public static func matchingClasses(of predictor: Predictor, _ options: Dataset.Options) -> Dataset.Options {
        var matched = options
        if let names = predictor.classNames, names.count == predictor.numClasses {
            matched.knownClasses = KnownClasses(names: names, origin: "the model's \(ModelArtifact.classesFile)")
        } else {
            matched.positionNote = "the model has no class names (no \(ModelArtifact.classesFile) with \(predictor.numClasses) names) to match its folders by"
        }
        return matched
    }
}
