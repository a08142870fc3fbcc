import ArgumentParser
import Foundation
import Graph
import Models

/// `imgclf symbol`: prints the network for given hyperparameters as MXNet symbol JSON,
/// the same file the model artifact carries as `image-classification-symbol.json`.
struct SymbolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "symbol",
        abstract: "Print the ResNet for these hyperparameters as MXNet symbol JSON.")

    @Option(name: .customLong("num_layers"), help: "ResNet depth: 18, 34, 50, 101, 152, 200 (height > 28) or 20, 32, 44, 56, 110 (height <= 28).")
    var numLayers: Int = 152
    @Option(name: .customLong("image_shape"), help: "C,H,W, e.g. 3,224,224.")
    var imageShape: String = "3,224,224"
    @Option(name: .customLong("num_classes"), help: "Number of output classes.")
    var numClasses: Int
    @Option(name: .customLong("multi_label"), help: "1 for a multi-label (sigmoid) output, 0 for softmax.")
    var multiLabel: String = "0"
    @Option(name: .customLong("output"), help: "Write the JSON to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard multiLabel == "0" || multiLabel == "1" else {
            throw ValidationError("multi_label must be 0 or 1, got '\(multiLabel)'")
        }
        _ = try parseImageShape(imageShape)
    }

    func run() throws {
        let symbol = try ResNet.symbol(numLayers: numLayers, imageShape: try parseImageShape(imageShape),
                                       numClasses: numClasses, multiLabel: multiLabel == "1")
        if let output {
            try symbol.write(to: URL(fileURLWithPath: output))
        } else {
            // MXNet's exact bytes (no final newline) so `diff` against its files is clean;
            // a newline only for a terminal.
            var data = try symbol.jsonData()
            if isatty(STDOUT_FILENO) != 0 { data.append(0x0A) }
            FileHandle.standardOutput.write(data)
        }
    }
}
