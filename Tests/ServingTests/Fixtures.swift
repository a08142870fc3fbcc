import Foundation
import Serving
import TestFixtures

/// The files tools/make_serving_fixtures.py wrote: MXNet models and PNG inputs of their exact
/// size (in the fixtures the test targets share, `Tests/Fixtures/Resources`), and MXNet
/// 1.9.1's probabilities for them (this target's `Resources/expected.json`).
enum Fixtures {
    static let root = Bundle.module.url(forResource: "Resources", withExtension: nil)!
    static func model(_ name: String) -> URL { SharedFixtures.model(name) }
    static func image(_ name: String) -> URL { SharedFixtures.image(name) }
    static var images: URL { SharedFixtures.url("images") }
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

    /// A fresh empty folder, removed when the test ends (`TemporaryFolders`).
    static func temporaryFolder(_ name: String) -> URL {
        try! TemporaryFolders.make("imgclf-serving-\(name)")
    }
}
