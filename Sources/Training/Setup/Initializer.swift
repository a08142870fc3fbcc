import Compute
import Graph

/// MXNet's initialisation for this algorithm: `Xavier(rnd_type="gaussian",
/// factor_type="in", magnitude=2)` for weights, zeros for biases and betas, ones for
/// gammas; moving means at zero and moving variances at one.
public enum Initializer {
    public static func xavier(_ parameters: ParameterStore, seed: UInt64, only names: Set<String>? = nil,
                              magnitude: Float = 2) {
        var rng = SeededGenerator(seed: seed)
        parameters.withMutableValues { writable in
            for name in writable.argumentNames {
                if let names, !names.contains(name) { continue }
                guard let t = writable.argument(name) else { continue }
                if name.hasSuffix("_weight") {
                    let shape = t.dims
                    let receptive = shape.dropFirst(2).reduce(1, *)
                    let fanIn = Float(shape.count > 1 ? shape[1] * receptive : shape[0])
                    let scale = (magnitude / fanIn).squareRoot()
                    let floats = t.floats
                    for i in 0..<t.elementCount { floats[i] = scale * rng.normal() }
                } else if name.hasSuffix("_gamma") {
                    t.fill(1)
                } else {
                    t.fill(0)
                }
            }
            if names == nil {
                for name in writable.auxiliaryNames {
                    writable.auxiliary(name)?.fill(name.hasSuffix("_moving_var") ? 1 : 0)
                }
            }
        }
    }
}
