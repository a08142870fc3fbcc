import Foundation
import Graph

/// The pre-activation ResNet (v2) of SageMaker's image-classification algorithm, built
/// node for node as MXNet's `symbols/resnet.py` builds it (same names, attributes and
/// order), so our `*-symbol.json` files are interchangeable with MXNet's.
public enum ResNet {
    /// Units per stage for images taller than 28 pixels.
    static let largeImageUnits: [Int: [Int]] = [
        18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3],
        152: [3, 8, 36, 3], 200: [3, 24, 36, 3], 269: [3, 30, 48, 8],
    ]

    /// The deepest small-image network built (MXNet's and the service's largest, ResNet-1001);
    /// deeper requests would only build ever larger graphs.
    static let maxSmallImageLayers = 1001

    /// The depths SageMaker's Image Classification accepts (`num_layers`), whatever the image size.
    public static let serviceDepths = [18, 20, 32, 34, 44, 50, 56, 101, 110, 152, 200]

    /// The layer counts offered for an image height (what the error message lists).
    public static func validNumLayers(height: Int) -> String {
        let service = serviceDepths.filter { builds(numLayers: $0, height: height) }.map(String.init).joined(separator: ", ")
        return height <= 28
            ? "\(service) of the service's depths; in general any 6n+2 below 164, or any 9n+2 from 164 to \(maxSmallImageLayers) (bottleneck units)"
            : largeImageUnits.keys.sorted().map(String.init).joined(separator: ", ")
    }

    /// Whether MXNet's builder makes a network of `numLayers` for images of this height
    /// (at height <= 28, 50 and 152 are 6n+2 basic-unit networks and 200 a 9n+2 bottleneck one).
    public static func builds(numLayers: Int, height: Int) -> Bool {
        layout(numLayers: numLayers, height: height) != nil
    }

    /// The network's layout for these settings: units per stage, filters, unit kind.
    struct Plan {
        var units: [Int]
        var filters: [Int]
        var bottleneck: Bool
    }

    static func plan(numLayers n: Int, height h: Int) throws -> Plan {
        guard let plan = layout(numLayers: n, height: h) else {
            throw ModelsError.invalidNumLayers(numLayers: n, height: h, valid: validNumLayers(height: h))
        }
        return plan
    }

    /// MXNet's resnet.py rule: the layout for `n` layers at image height `h`, or nil.
    static func layout(numLayers n: Int, height h: Int) -> Plan? {
        if h <= 28 {
            if n >= 164, n <= maxSmallImageLayers, (n - 2) % 9 == 0 {
                return Plan(units: Array(repeating: (n - 2) / 9, count: 3), filters: [16, 64, 128, 256], bottleneck: true)
            }
            if n >= 8, n < 164, (n - 2) % 6 == 0 {
                return Plan(units: Array(repeating: (n - 2) / 6, count: 3), filters: [16, 16, 32, 64], bottleneck: false)
            }
            return nil
        }
        guard let units = largeImageUnits[n] else { return nil }
        let bottleneck = n >= 50
        return Plan(units: units, filters: bottleneck ? [64, 256, 512, 1024, 2048] : [64, 64, 128, 256, 512], bottleneck: bottleneck)
    }

    /// Builds the training graph: `data` -> ... -> `fc1` -> `softmax` (SoftmaxOutput, or
    /// LogisticRegressionOutput for multi-label, keeping the name `softmax` as the service does).
    /// `imageShape` is `[C, H, W]`.
    public static func symbol(numLayers: Int, imageShape: [Int], numClasses: Int, multiLabel: Bool = false) throws -> Symbol {
        guard imageShape.count == 3 else { throw ModelsError.invalidImageShape(shape: imageShape, reason: "expected three numbers C,H,W") }
        guard imageShape.allSatisfy({ $0 > 0 }) else { throw ModelsError.invalidImageShape(shape: imageShape, reason: "every dimension must be positive") }
        guard numClasses >= 1 else { throw ModelsError.invalidNumClasses(numClasses) }
        let height = imageShape[1]
        let plan = try plan(numLayers: numLayers, height: height)

        var g = GraphBuilder()
        let bn = ["eps": "2e-05", "momentum": "0.9"]
        func bnAttrs(fixGamma: Bool) -> [String: String] { bn.merging(["fix_gamma": fixGamma ? "True" : "False"]) { $1 } }

        var x = g.variable("data")
        x = g.identity(x, name: "id")
        x = g.batchNorm(x, name: "bn_data", attrs: bnAttrs(fixGamma: true))
        if height <= 32 {
            x = g.convolution(x, name: "conv0", attrs: conv(plan.filters[0], kernel: 3, stride: 1, pad: 1))
        } else {
            x = g.convolution(x, name: "conv0", attrs: conv(plan.filters[0], kernel: 7, stride: 2, pad: 3))
            x = g.batchNorm(x, name: "bn0", attrs: bnAttrs(fixGamma: false))
            x = g.activation(x, name: "relu0")
            x = g.pooling(x, attrs: ["kernel": "(3, 3)", "stride": "(2, 2)", "pad": "(1, 1)", "pool_type": "max"])
        }
        for (i, units) in plan.units.enumerated() {
            let stride = i == 0 ? 1 : 2
            for j in 0..<units {
                x = unit(&g, x, filters: plan.filters[i + 1], stride: j == 0 ? stride : 1, projection: j == 0,
                         name: "stage\(i + 1)_unit\(j + 1)", bottleneck: plan.bottleneck, bn: bnAttrs(fixGamma: false))
            }
        }
        x = g.batchNorm(x, name: "bn1", attrs: bnAttrs(fixGamma: false))
        x = g.activation(x, name: "relu1")
        x = g.pooling(x, name: "pool1", attrs: ["global_pool": "True", "kernel": "(7, 7)", "pool_type": "avg"])
        x = g.flatten(x)
        x = g.fullyConnected(x, name: "fc1", attrs: ["num_hidden": String(numClasses)])
        x = g.lossOutput(x, name: "softmax", multiLabel: multiLabel)
        return g.symbol(heads: [x])
    }

    /// One pre-activation residual unit; the projection shortcut reads the unit's first ReLU.
    static func unit(_ g: inout GraphBuilder, _ x: NodeEntry, filters nf: Int, stride: Int, projection: Bool,
                     name: String, bottleneck: Bool, bn: [String: String]) -> NodeEntry {
        let bn1 = g.batchNorm(x, name: name + "_bn1", attrs: bn)
        let act1 = g.activation(bn1, name: name + "_relu1")
        var last: NodeEntry
        if bottleneck {
            let quarter = nf / 4
            let c1 = g.convolution(act1, name: name + "_conv1", attrs: conv(quarter, kernel: 1, stride: 1, pad: 0))
            let a2 = g.activation(g.batchNorm(c1, name: name + "_bn2", attrs: bn), name: name + "_relu2")
            let c2 = g.convolution(a2, name: name + "_conv2", attrs: conv(quarter, kernel: 3, stride: stride, pad: 1))
            let a3 = g.activation(g.batchNorm(c2, name: name + "_bn3", attrs: bn), name: name + "_relu3")
            last = g.convolution(a3, name: name + "_conv3", attrs: conv(nf, kernel: 1, stride: 1, pad: 0))
        } else {
            let c1 = g.convolution(act1, name: name + "_conv1", attrs: conv(nf, kernel: 3, stride: stride, pad: 1))
            let a2 = g.activation(g.batchNorm(c1, name: name + "_bn2", attrs: bn), name: name + "_relu2")
            last = g.convolution(a2, name: name + "_conv2", attrs: conv(nf, kernel: 3, stride: 1, pad: 1))
        }
        let shortcut = projection
            ? g.convolution(act1, name: name + "_sc", attrs: conv(nf, kernel: 1, stride: stride, pad: nil))
            : x
        return g.add(last, shortcut)
    }

    /// Convolution attributes as MXNet stores them (the shortcut passes no pad at all).
    static func conv(_ filters: Int, kernel: Int, stride: Int, pad: Int?) -> [String: String] {
        var a = ["num_filter": String(filters), "kernel": "(\(kernel), \(kernel))",
                 "stride": "(\(stride), \(stride))", "no_bias": "True", "workspace": "256"]
        if let pad { a["pad"] = "(\(pad), \(pad))" }
        return a
    }
}
