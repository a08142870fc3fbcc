import Models
import Support

/// What an exported file says about itself (`metadata_props`, and the input's and the
/// model's doc strings): the class names, the input the graph expects, and how an image
/// becomes that input. The graph starts where our preprocessing ends: it takes the
/// float32 NCHW tensor the `Preprocessor` makes (raw 0-255 values, no mean, no scaling),
/// so a user reproduces that step and feeds its result. docs/onnx.md lists the keys.
public struct ExportMetadata: Sendable, Equatable {
    /// One per class, by index: the artifact's `classes.json`, else the indices as text.
    public var classNames: [String]
    /// Whether ``classNames`` came from the artifact (false: they are the indices).
    public var namedClasses: Bool
    /// [C, H, W] of one image.
    public var imageShape: [Int]
    /// Independent per-class probabilities (sigmoid) rather than a softmax over the classes.
    public var multiLabel: Bool
    /// The last operation of the graph: `softmax`, `sigmoid`, or `none` (raw scores).
    public var outputActivation: String
    /// The shorter side an image is resized to before the centre crop (``PreprocessingContract/endpointResize``).
    public var resizeShorterSide: Int
    /// The artifact's file or folder name and the params file's number.
    public var sourceName: String
    public var epoch: Int

    /// The key-value pairs written to `metadata_props`, in this order.
    public var properties: [(key: String, value: String)] {
        let channels = imageShape.first ?? 0
        return [
            ("class_names", "[" + classNames.map(jsonStringLiteral).joined(separator: ", ") + "]"),
            ("class_names_source", namedClasses ? ModelArtifact.classesFile : "indices (the artifact has no classes.json)"),
            ("num_classes", String(classNames.count)),
            ("multi_label", multiLabel ? "true" : "false"),
            ("output_activation", outputActivation),
            ("image_shape", imageShape.map(String.init).joined(separator: ",")),
            ("input_layout", "NCHW"),
            ("input_color", channels == 1 ? "grayscale" : "RGB"),
            ("input_range", "0-255"),
            ("input_mean", Array(repeating: "0", count: channels).joined(separator: ",")),
            ("input_std", Array(repeating: "1", count: channels).joined(separator: ",")),
            ("resize_shorter_side", String(resizeShorterSide)),
            ("crop", "center"),
            ("preprocessing", preprocessing),
            ("source_artifact", sourceName),
            ("epoch", String(epoch)),
        ]
    }

    /// The preprocessing in one sentence (also the input's doc string).
    public var preprocessing: String {
        let c = imageShape.first ?? 0, h = imageShape.count > 1 ? imageShape[1] : 0, w = imageShape.count > 2 ? imageShape[2] : 0
        let color = c == 1 ? "decode to 8-bit grayscale" : "decode to 8-bit RGB (in that order)"
        return "\(color); if the image is not exactly \(w)x\(h), resize it (bilinear) so its shorter side is \(resizeShorterSide) "
            + "and crop the centre \(w)x\(h); then float32 NCHW with the raw 0-255 pixel values "
            + "(no mean subtraction, no division): data[n][c][y][x] = pixel(x, y, channel c)"
    }

    /// The model's doc string.
    var modelDoc: String {
        "Exported by imgclf from \(sourceName) (epoch \(epoch)). Input '\(ONNXExporter.inputName)': float32 [\(ONNXExporter.batchDimension), "
            + imageShape.map(String.init).joined(separator: ", ") + "], \(preprocessing). Output '\(ONNXExporter.outputName)': float32 [\(ONNXExporter.batchDimension), \(classNames.count)], "
            + (outputActivation == "sigmoid" ? "independent per-class probabilities (sigmoid)"
               : outputActivation == "softmax" ? "class probabilities (softmax)" : "the network's raw scores")
            + "; class names in the metadata (class_names)."
    }

    var protos: [Onnx_StringStringEntryProto] { properties.map { Proto.entry($0.key, $0.value) } }
}
