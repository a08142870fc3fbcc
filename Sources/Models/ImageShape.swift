/// MXNet's `image_shape` text, "C,H,W" (spaces allowed), as every command and the
/// hyperparameters read it.
public enum ImageShape {
    /// [C, H, W] when the text holds three integers, else nil. Ranges are the caller's to check.
    public static func parse(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, text.split(separator: ",", omittingEmptySubsequences: false).count == 3 else { return nil }
        return parts
    }

    /// Whether a parsed shape is one the network takes: C of 1 or 3, H and W at least 1.
    public static func isValid(_ shape: [Int]) -> Bool {
        shape.count == 3 && (shape[0] == 1 || shape[0] == 3) && shape[1] >= 1 && shape[2] >= 1
    }

    public static let expected = "\"C,H,W\" with C 1 or 3 and H, W >= 1, e.g. \"3,224,224\""
}
