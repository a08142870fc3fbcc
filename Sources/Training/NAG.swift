import Compute
import Graph

/// MXNet's `nag` (Nesterov momentum), as its `nag_mom_update` kernel computes it, with
/// `g = rescale * grad + wd * weight`:
/// `mom = momentum * mom`, `weight = weight - mom + (momentum + 1) * (mom - lr * g)`,
/// `mom = mom - lr * (rescale * grad + wd * weight)`.
///
/// The last line reads the weight that was just updated: MXNet runs the kernel in place
/// (its output is the weight array), so the momentum's weight-decay term sees the new
/// weight. Reproduced on purpose, so training matches MXNet's.
/// State: `NAME:mom` per parameter (MXNet's, which holds `-lr *` the textbook momentum).
public final class NAG: ElementwiseOptimizer {
    public var momentum: Float

    public init(learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 1e-4, rescaleGrad: Float = 1) {
        self.momentum = momentum
        super.init(learningRate: learningRate, weightDecay: weightDecay, rescaleGrad: rescaleGrad, slots: ["mom"])
    }

    public override var name: String { "nag" }

    override func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                       states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        let rescale = rescaleGrad, momentum = momentum
        if momentum == 0 {
            let keep = 1 - lr * wd, scale = lr * rescale
            for i in 0..<count { weight[i] = keep * weight[i] - scale * grad[i] }
            return
        }
        let mom = states[0]
        for i in 0..<count {
            let m = momentum * mom[i]
            weight[i] = weight[i] - m + (momentum + 1) * (m - lr * (rescale * grad[i] + wd * weight[i]))
            mom[i] = m - lr * (rescale * grad[i] + wd * weight[i])
        }
    }
}
