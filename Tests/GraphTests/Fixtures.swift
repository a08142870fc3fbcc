import Foundation
import Graph
import TestFixtures

/// Paths to the golden files MXNet 1.9.1 wrote (copied from shared/fixtures/mxnet-1.9.1):
/// `ndarray/` is this target's own (`Resources`); `symbols/` and `models/` are the fixtures
/// the test targets share (`Tests/Fixtures/Resources`).
enum Fixtures {
    static let root = Bundle.module.url(forResource: "Resources", withExtension: nil)!

    static func url(_ path: String) -> URL {
        path.hasPrefix("ndarray/") ? root.appendingPathComponent(path) : SharedFixtures.url(path)
    }

    /// Every symbol fixture, with the shapes file beside it when there is one.
    static var symbolFiles: [URL] {
        let dir = url("symbols")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let symbols = names.filter { $0.hasSuffix("-symbol.json") }.sorted().map { dir.appendingPathComponent($0) }
        return symbols + ["resnet20-1x28x28", "resnet20-3x28x28-multilabel"].map {
            url("models/\($0)/image-classification-symbol.json")
        }
    }

    /// `resnet-18-3x224x224` cases: (symbol file, shapes file, image shape C,H,W).
    static var shapeCases: [(symbol: URL, shapes: URL, chw: [Int])] {
        symbolFiles.compactMap { s in
            let name = s.lastPathComponent
            guard name.hasPrefix("resnet-") else { return nil }
            let tag = name.replacingOccurrences(of: "-symbol.json", with: "")
            let chw = tag.split(separator: "-").last!.split(separator: "x").map { Int($0)! }
            return (s, s.deletingLastPathComponent().appendingPathComponent(tag + "-shapes.json"), chw)
        }
    }

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    static func shapes(_ url: URL) throws -> (arg: [String: [Int]], aux: [String: [Int]]) {
        let j = try json(url) as! [String: Any]
        return (j["arg"] as! [String: [Int]], j["aux"] as! [String: [Int]])
    }
}
