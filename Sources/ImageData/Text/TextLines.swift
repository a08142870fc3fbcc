/// Splits text files (`.lst`, `.idx`, manifests) into lines.
public enum TextLines {
    /// The lines of `text`, split at "\n" and at "\r\n", so a file saved with Windows line endings
    /// reads exactly as the same file with Unix ones. (Swift reads "\r\n" as one Character, so
    /// splitting at "\n" alone would see the whole file as one line.) Empty lines are kept, so
    /// line numbers match the file's.
    public static func split(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }
}
