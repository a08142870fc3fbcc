import Foundation

/// The golden files more than one test target reads, kept once in `Tests/Fixtures/Resources`
/// (see its README.md): MXNet 1.9.1's model artifacts, the symbol graphs of every depth MXNet's
/// builder makes, and the serving inputs. A target's own files stay in its `Resources`.
public enum SharedFixtures {
    /// `Tests/Fixtures/Resources` as this build copied it.
    public static let directory: URL = Bundle.module.url(forResource: "Resources", withExtension: nil)!

    /// A file or folder under the shared resources, e.g. `url("symbols/resnet-18-3x224x224-symbol.json")`.
    public static func url(_ path: String) -> URL { directory.appendingPathComponent(path) }

    /// A model folder MXNet wrote (`image-classification-symbol.json`, `-0000.params`,
    /// `model-shapes.json`): `resnet20-1x28x28` and `resnet20-3x28x28-multilabel` (the parity
    /// cases of shared/fixtures/mxnet-1.9.1), `resnet8-3x28x28` (tools/make_serving_fixtures.py).
    public static func model(_ name: String) -> URL { url("models/\(name)") }

    /// An input image of the serving fixtures (`gray0.png`, `rgb0.png`, `rgb-60x45.jpg`, ...).
    public static func image(_ name: String) -> URL { url("images/\(name)") }
}
