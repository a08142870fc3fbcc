/// MXNet's `nag` (Nesterov momentum), as its `nag_mom_update` kernel computes it, with
/// `g = rescale * grad + wd * weight`:
/// `mom = momentum * mom`, `weight = weight - mom + (momentum + 1) * (mom - lr * g)`,
/// `mom = mom - lr * (rescale * grad + wd * weight)`; without momentum, plain `sgd_update`.
///
/// The last line reads the weight that was just updated: MXNet runs the kernel in place
/// (its output is the weight array), so the momentum's weight-decay term sees the new
/// weight. Reproduced on purpose, so training matches MXNet's.
/// State: `NAME:mom` per parameter (MXNet's, which holds `-lr *` the textbook momentum).
public final class NAG: MomentumOptimizer {
    public override var name: String { "nag" }

    override func momentumStep(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                               mom: UnsafeMutableBufferPointer<Float>, lr: Float, wd: Float) {
        let rescale = rescaleGrad, momentum = momentum
        for i in 0..<count {
            let m = momentum * mom[i]
            weight[i] = weight[i] - m + (momentum + 1) * (m - lr * (rescale * grad[i] + wd * weight[i]))
            mom[i] = m - lr * (rescale * grad[i] + wd * weight[i])
        }
    }
}
