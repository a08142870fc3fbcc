import Foundation
import FuzzSupport
import Serving
import Support

/// Where batch transform writes `<name>.out` for a hostile input name (from a manifest or a
/// list), under an output folder holding a link that leads out of it: the file must stay
/// inside the folder, or be refused. Then the same name's visible form and, as JSON, its
/// duplicate-key check. A crash here is an output that would land outside `--output`.
let root: URL = {
    let out = Fuzz.scratch.appendingPathComponent("out")
    try? FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let outside = Fuzz.scratch.appendingPathComponent("outside")
    try? FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
    try? FileManager.default.createSymbolicLink(at: out.appendingPathComponent("link"), withDestinationURL: outside)
    return out
}()
let realRoot = OutputPath.realPath(root.path) ?? root.path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOutputPath(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    let name = String(decoding: bytes, as: UTF8.self)
    if !name.contains("\0"), case .success(let file) = OutputPath.file(for: name, under: root) {
        let folder = OutputPath.realPath(file.deletingLastPathComponent().path) ?? ""
        if !(folder == realRoot || folder.hasPrefix(realRoot + "/")) {
            fatalError("\(name.debugDescription) would be written in \(folder), outside \(realRoot)")
        }
    }
    let visible = VisibleText.of(name)
    if visible.unicodeScalars.contains(where: { $0.value < 0x20 }) { fatalError("a control character is still visible raw") }
    _ = JSONDuplicateKeys.first(in: Data(bytes))
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzOutputPath) }
}
