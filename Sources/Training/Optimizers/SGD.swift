/// MXNet's `sgd`: with momentum, as its `sgd_mom_update` kernel computes it,
/// `mom = momentum * mom - lr * wd * weight - lr * rescale * grad`, `weight += mom`;
/// without, `weight = (1 - lr * wd) * weight - lr * rescale * grad`.
///
/// Weight decay applies only to parameters whose names end in `_weight` or `_gamma`.
/// State: `NAME:mom` per parameter.
public final class SGD: MomentumOptimizer {
    public override var name: String { "sgd" }

    override func momentumStep(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                               mom: UnsafeMutableBufferPointer<Float>, lr: Float, wd: Float) {
        let momentum = momentum, decay = lr * wd, scale = lr * rescaleGrad
        for i in 0..<count {
            mom[i] = momentum * mom[i] - decay * weight[i] - scale * grad[i]
            weight[i] += mom[i]
        }
    }
}
