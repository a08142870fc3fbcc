import ArgumentParser
import Foundation
import Models

/// What `export` and `quantize` read: `--model`, which checkpoint of it (`--epoch`), and its
/// input shape when it records none (`--image-shape`).
struct ArtifactOptions: ParsableArguments {
    @Option(help: "A model.tar.gz or a folder with *-symbol.json, *-NNNN.params and model-shapes.json (ours, MXNet's or the service's).") var model: String
    @OptionGroup var shape: ImageShapeOption
    @OptionGroup var epoch: EpochOption

    /// The artifact with the checkpoint asked for.
    func load(from url: URL? = nil) throws -> ModelArtifact {
        try ModelArtifact.load(from: url ?? URL(fileURLWithPath: model), epoch: epoch.epoch)
    }
}
