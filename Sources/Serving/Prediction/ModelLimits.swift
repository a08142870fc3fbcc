import Models

/// Range checks on the values a model artifact brings with it (its image shape, its
/// hyperparameters) and on the buffers they size, so a hostile artifact is refused at load
/// time with the file, the field and the valid range, never sized into an overflow or a
/// multi-gigabyte allocation on the first request. The ranges are training's
/// (``PreprocessingLimits``), so every model training writes loads here.
public enum ModelLimits {
    static let maxImageSide = PreprocessingLimits.imageSide.upperBound
    static let maxResize = PreprocessingLimits.resize.upperBound
    static let classes = PreprocessingLimits.numClasses
    /// Most floats the batch input buffer (max batch x C x H x W) may hold: 4 GiB.
    public static let maxInputFloats = 1 << 30

    /// Checks the image shape, `resize` and `num_classes`; `shapeOrigin` names where the
    /// shape came from (a file, or an option).
    static func check(shape: [Int], shapeOrigin: String, hyperparameters: [String: String],
                      source: String, maxBatch: Int) throws(PredictorError) {
        let hyperFile = "\(source): hyperparameters.json"
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3 else {
            throw .outOfRange(origin: shapeOrigin, field: "image_shape", expected: "C,H,W with C 1 or 3", found: "\(shape)")
        }
        for (axis, value) in zip(["H", "W"], shape.dropFirst()) where !(1...maxImageSide).contains(value) {
            throw .outOfRange(origin: shapeOrigin, field: "image_shape",
                              expected: "\(axis) from 1 to \(maxImageSide)", found: "\(shape)")
        }
        // An empty or non-positive resize means "unset", as training writes it (see Predictor for the fallback).
        if let text = hyperparameters["resize"], !text.isEmpty, Int(text).map({ $0 > maxResize }) ?? true {
            throw .outOfRange(origin: hyperFile, field: "resize", expected: "an integer of at most \(maxResize)", found: text)
        }
        if let text = hyperparameters["num_classes"] {
            guard let value = Int(text), classes.contains(value) else {
                throw .outOfRange(origin: hyperFile, field: "num_classes", expected: PreprocessingLimits.numClassesRange, found: text)
            }
        }
        let perImage = shape[0] * shape[1] * shape[2]  // at most 3 x 8192^2: no overflow
        let (total, overflow) = perImage.multipliedReportingOverflow(by: max(1, maxBatch))
        guard !overflow, total <= maxInputFloats else {
            throw .outOfRange(origin: shapeOrigin, field: "image_shape x max batch",
                              expected: "at most \(maxInputFloats) input floats per batch",
                              found: "\(shape) x \(maxBatch)")
        }
    }
}
