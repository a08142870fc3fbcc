import Foundation
import ImageData
import TestFixtures

/// Paths and parsers for the MXNet 1.9.1 golden files in Resources/recordio and Resources/codecs.
/// `recordio/tree` is the image tree im2rec.py packed, `recordio/images.lst` its list.
enum RecordIOFixtures {
    static let resources = Bundle.module.url(forResource: "Resources", withExtension: nil)!
    static let recordio = resources.appendingPathComponent("recordio")
    static let codecs = resources.appendingPathComponent("codecs")

    static func url(_ name: String) -> URL { recordio.appendingPathComponent(name) }
    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
    static func json(_ name: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name))) as! [[String: Any]]
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
    /// A fresh empty folder, removed when the test ends (`TemporaryFolders`).
    static func tempDir() throws -> URL { try TemporaryFolders.make("imgclf-data1") }
    /// Every record of a file, read sequentially.
    static func readAll(_ url: URL) throws -> [(offset: UInt64, payload: [UInt8])] {
        var reader = try RecordIOReader(url: url)
        var out: [(offset: UInt64, payload: [UInt8])] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }
}
