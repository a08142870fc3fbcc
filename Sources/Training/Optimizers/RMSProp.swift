import Compute
import Graph

/// MXNet's `rmsprop`, non-centred (Tieleman & Hinton), as its `rmsprop_update` kernel
/// computes it: `g = rescale * grad + wd * weight`, `n = (1 - gamma1) * g^2 + gamma1 * n`,
/// `weight -= lr * g / sqrt(n + epsilon)` (epsilon inside the square root, unlike Adam).
/// SageMaker's `gamma` is `gamma1`. State: `NAME:n` per parameter.
public final class RMSProp: ElementwiseOptimizer {
    public var gamma1: Float
    public var epsilon: Float

    public init(learningRate: Float = 0.001, gamma1: Float = 0.9, epsilon: Float = 1e-8,
                weightDecay: Float = 0, rescaleGrad: Float = 1) {
        self.gamma1 = gamma1
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, rescaleGrad: rescaleGrad, slots: ["n"])
    }

    public override var name: String { "rmsprop" }

    override func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                       states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        let gamma = gamma1, eps = epsilon, rescale = rescaleGrad
        let n = states[0]
        for i in 0..<count {
            let g = rescale * grad[i] + wd * weight[i]
            n[i] = (1 - gamma) * (g * g) + gamma * n[i]
            weight[i] -= lr * (g / (n[i] + eps).squareRoot())
        }
    }
}
