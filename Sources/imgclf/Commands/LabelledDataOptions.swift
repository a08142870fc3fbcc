import ArgumentParser
import Foundation
import ImageData
import Serving

/// How `evaluate` and `report` read labelled data: the options that say how a channel is
/// laid out, and the data-set options that follow from them and from the model's classes.
struct LabelledDataOptions: ParsableArguments {
    @Option(help: "A .lst file (or folder of them) for the images in --data.") var lst: String?
    @Option(help: "The data's content type (for augmented manifests).") var contentType: String?
    @Option(help: "Augmented manifest: the source-ref and label attributes, comma-separated.") var attributeNames: String?
    @Option(help: "k of the top-k accuracy.") var topK = 5

    func validate() throws { try requireRange(topK, 1...1_000_000, option: "--top-k") }

    /// How to read channel `channel` (with `lst`, when it has one) for `predictor`: its
    /// classes, matched by name where the data names them; warnings go to standard error.
    func datasetOptions(channel: String, lst: String?, for predictor: Predictor) -> Dataset.Options {
        var options = Dataset.Options(
            channel: channel, labels: LabelSpec(numClasses: predictor.numClasses, multiLabel: predictor.multiLabel),
            contentType: contentType, lst: lst.map { URL(fileURLWithPath: $0) },
            attributeNames: attributeNames.map { $0.split(separator: ",").map(String.init) })
        options.warn = { printWarning($0) }
        return EvaluationData.matchingClasses(of: predictor, options)
    }
}
