/// Orders strings by their UTF-8 bytes, as `sorted()` does in C and Python: the same order
/// on every machine and locale (file names, class folders, JSON keys).
public func precedesInByteOrder(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
