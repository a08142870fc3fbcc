import Support

/// The ranges of the values that size a network's input and output, in one place for
/// training (hyperparameters) and serving (a model's `hyperparameters.json` and shapes):
/// past them a value would overflow a size computation or ask for absurd memory.

public enum PreprocessingLimits {
    /// Image channels C of `image_shape`.
    public static let channels: Set<Int> = [1, 3]
    /// Height and width of `image_shape`, in pixels.
    public static let imageSide = 1...ImageSideLimit.pixels
    /// `resize`: the shorter side before cropping, in pixels.
    public static let resize = 1...ImageSideLimit.pixels
    /// `num_classes`.
    public static let numClasses = 2...100_000

    public static let imageShapeRange = "\"C,H,W\" with C 1 or 3 and H, W in \(imageSide.lowerBound)...\(imageSide.upperBound)"
    public static let resizeRange = "an integer in \(resize.lowerBound)...\(resize.upperBound)"
    public static let numClassesRange = "an integer in \(numClasses.lowerBound)...\(numClasses.upperBound)"

    /// A value outside its range: names where it came from, the field, the value and the range.
    public struct OutOfRange: Error, CustomStringConvertible, Sendable, Equatable {
        public let source: String
        public let field: String
        public let value: String
        public let valid: String
        public var description: String { "\(source): \(field)=\(value) is out of range; valid: \(valid)" }
    }

    public static func isValid(imageShape shape: [Int]) -> Bool {
        shape.count == 3 && channels.contains(shape[0]) && imageSide.contains(shape[1]) && imageSide.contains(shape[2])
    }

    public static func checkImageShape(_ shape: [Int], source: String) throws(OutOfRange) {
        guard isValid(imageShape: shape) else {
            throw OutOfRange(source: source, field: "image_shape", value: shape.map(String.init).joined(separator: ","), valid: imageShapeRange)
        }
    }

    public static func checkResize(_ value: Int, source: String) throws(OutOfRange) {
        guard resize.contains(value) else { throw OutOfRange(source: source, field: "resize", value: String(value), valid: resizeRange) }
    }

    public static func checkNumClasses(_ value: Int, source: String) throws(OutOfRange) {
        guard numClasses.contains(value) else {
            throw OutOfRange(source: source, field: "num_classes", value: String(value), valid: numClassesRange)
        }
    }
}
