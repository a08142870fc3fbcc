import Compute
import Graph

/// MXNet's `sgd` update with momentum, as `sgd_mom_update` applies it:
/// `mom = momentum * mom - lr * (rescale * grad + wd * weight)`, `weight += mom`.
///
/// Like MXNet's `Optimizer.set_wd_mult`, weight decay applies only to parameters whose
/// names end in `_weight` or `_gamma` (not to biases and betas).
public final class SGD {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var rescaleGrad: Float
    private var state: [String: Tensor] = [:]

    public init(learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 1e-4, rescaleGrad: Float = 1) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.rescaleGrad = rescaleGrad
    }

    public func update(_ parameters: ParameterStore) {
        for name in parameters.argumentNames {
            guard let w = parameters.argument(name), let g = parameters.gradient(name) else { continue }
            let wd = decays(name) ? weightDecay : 0
            let n = w.elementCount
            let weight = w.floats, grad = g.floats
            if momentum == 0 {
                for i in 0..<n { weight[i] -= learningRate * (rescaleGrad * grad[i] + wd * weight[i]) }
                continue
            }
            if state[name] == nil { state[name] = Tensor(plain: w.dims) }
            let mom = state[name]!.floats
            for i in 0..<n {
                mom[i] = momentum * mom[i] - learningRate * (rescaleGrad * grad[i] + wd * weight[i])
                weight[i] += mom[i]
            }
        }
    }

    func decays(_ name: String) -> Bool { name.hasSuffix("_weight") || name.hasSuffix("_gamma") }
}
