/// What `sgd` and `nag` share: a momentum with one `mom` state array per parameter, and,
/// at momentum 0, MXNet's plain `sgd_update`, which both reduce to:
/// `weight = (1 - lr * wd) * weight - lr * rescale * grad`.
public class MomentumOptimizer: ElementwiseOptimizer {
    public var momentum: Float

    public init(learningRate: Float, momentum: Float = 0.9, weightDecay: Float = 1e-4, rescaleGrad: Float = 1) {
        self.momentum = momentum
        super.init(learningRate: learningRate, weightDecay: weightDecay, rescaleGrad: rescaleGrad, slots: ["mom"])
    }

    override final func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                             states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        guard momentum == 0 else {
            momentumStep(weight: weight, grad: grad, count: count, mom: states[0], lr: lr, wd: wd)
            return
        }
        // MXNet keeps no momentum then and uses sgd_update.
        let keep = 1 - lr * wd, scale = lr * rescaleGrad
        for i in 0..<count { weight[i] = keep * weight[i] - scale * grad[i] }
    }

    /// One parameter's update with a non-zero momentum, in the order the kernel computes it.
    func momentumStep(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                      mom: UnsafeMutableBufferPointer<Float>, lr: Float, wd: Float) {
        preconditionFailure("\(Self.self) must override momentumStep")
    }
}
