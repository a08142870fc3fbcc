import Foundation
import Data

/// Paths and parsers for the MXNet 1.9.1 golden files in Resources/recordio and Resources/codecs.
enum RecordIOFixtures {
    static let resources = Bundle.module.url(forResource: "Resources", withExtension: nil)!
    static let recordio = resources.appendingPathComponent("recordio")
    static let codecs = resources.appendingPathComponent("codecs")

    static func url(_ name: String) -> URL { recordio.appendingPathComponent(name) }
    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Foundation.Data(contentsOf: url)) }
    static func json(_ name: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Foundation.Data(contentsOf: url(name))) as! [[String: Any]]
    }
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
    /// A fresh empty folder under the temporary directory.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("imgclf-data1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
    /// Every record of a file, read sequentially.
    static func readAll(_ url: URL) throws -> [(offset: UInt64, payload: [UInt8])] {
        var reader = try RecordIOReader(url: url)
        var out: [(offset: UInt64, payload: [UInt8])] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }
}
