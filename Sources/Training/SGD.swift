import Compute
import Graph

/// MXNet's `sgd`: with momentum, as its `sgd_mom_update` kernel computes it,
/// `mom = momentum * mom - lr * wd * weight - lr * rescale * grad`, `weight += mom`;
/// without, `weight = (1 - lr * wd) * weight - lr * rescale * grad`.
///
/// Weight decay applies only to parameters whose names end in `_weight` or `_gamma`.
/// State: `NAME:mom` per parameter.
public final class SGD: ElementwiseOptimizer {
    public var momentum: Float

    public init(learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 1e-4, rescaleGrad: Float = 1) {
        self.momentum = momentum
        super.init(learningRate: learningRate, weightDecay: weightDecay, rescaleGrad: rescaleGrad, slots: ["mom"])
    }

    public override var name: String { "sgd" }

    override func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                       states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        let rescale = rescaleGrad, momentum = momentum
        if momentum == 0 {
            // MXNet keeps no state then and uses sgd_update.
            let keep = 1 - lr * wd, scale = lr * rescale
            for i in 0..<count { weight[i] = keep * weight[i] - scale * grad[i] }
            return
        }
        let mom = states[0]
        let decay = lr * wd, scale = lr * rescale
        for i in 0..<count {
            mom[i] = momentum * mom[i] - decay * weight[i] - scale * grad[i]
            weight[i] += mom[i]
        }
    }
}
