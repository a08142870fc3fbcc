import Foundation
import Serving

/// The files tools/make_serving_fixtures.py wrote: MXNet models, PNG inputs of their exact
/// size and MXNet 1.9.1's probabilities for them.
enum Fixtures {
    static let root = Bundle.module.url(forResource: "Resources", withExtension: nil)!
    static func model(_ name: String) -> URL { root.appendingPathComponent("models/\(name)") }
    static func image(_ name: String) -> URL { root.appendingPathComponent("images/\(name)") }
    static func bytes(_ name: String) -> [UInt8] { [UInt8](try! Data(contentsOf: image(name))) }

    /// MXNet's probabilities: model -> image -> probabilities.
    static let expected: [String: [String: [Float]]] = {
        let data = try! Data(contentsOf: root.appendingPathComponent("expected.json"))
        let raw = try! JSONDecoder().decode([String: [String: [Double]]].self, from: data)
        return raw.mapValues { $0.mapValues { $0.map(Float.init) } }
    }()

    /// (model, its exact-size inputs) for every parity case.
    static let parityCases: [(model: String, images: [String])] = [
        ("resnet20-1x28x28", ["gray0.png", "gray1.png"]),
        ("resnet20-3x28x28-multilabel", ["rgb0.png", "rgb1.png"]),
        ("resnet8-3x28x28", ["rgb0.png", "rgb1.png"]),
    ]

    /// Largest absolute difference between two probability vectors (infinity when the sizes differ).
    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// A fresh empty folder under the temporary directory.
    static func temporaryFolder(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imgclf-serving-\(name)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
