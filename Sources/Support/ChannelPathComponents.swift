/// A relative path's components as the file system splits it: at every "/" scalar. Swift's
/// `split(separator: "/")` works on Characters, and "/" followed by a combining mark is one
/// Character, so "../\u{301}etc" would come out as a single harmless-looking component.
public enum ChannelPathComponents {
    public static func of(_ path: String) -> [String] {
        path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: true).map { String(String.UnicodeScalarView($0)) }
    }
}
