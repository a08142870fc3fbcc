/// MXNet's `image_shape` text, "C,H,W" (spaces allowed), as every command and the
/// hyperparameters read it.
public enum ImageShape {
    /// [C, H, W] when the text holds three integers, else nil. Ranges are the caller's to check.
    public static func parse(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, text.split(separator: ",", omittingEmptySubsequences: false).count == 3 else { return nil }
        return parts
    }

    /// Whether a parsed shape is one the network takes (``PreprocessingLimits``): C of 1 or 3,
    /// H and W in 1...8192.
    public static func isValid(_ shape: [Int]) -> Bool {
        PreprocessingLimits.isValid(imageShape: shape)
    }

    public static let expected = PreprocessingLimits.imageShapeRange + ", e.g. \"3,224,224\""
}
