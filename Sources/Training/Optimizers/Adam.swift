import Compute
import Foundation
import Graph

/// MXNet's `adam`. The bias correction goes into the rate, in double precision as MXNet's
/// Python does: `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)` with t the update count;
/// then its `adam_update` kernel, with weight decay added to the gradient:
/// `g = rescale * grad + wd * weight`, `mean = beta1 * mean + (1 - beta1) * g`,
/// `var = beta2 * var + (1 - beta2) * g^2`, `weight -= lr_t * mean / (sqrt(var) + epsilon)`.
/// State: `NAME:mean` and `NAME:var` per parameter.
public final class Adam: ElementwiseOptimizer {
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Float

    public init(learningRate: Float = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, rescaleGrad: Float = 1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        super.init(learningRate: learningRate, weightDecay: weightDecay, rescaleGrad: rescaleGrad, slots: ["mean", "var"])
    }

    public override var name: String { "adam" }

    override func stepRate() -> Float {
        let t = Double(updateCount)
        return Float(Double(learningRate) * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
    }

    override func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
                       states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        // The kernel's parameters are float32, and so is its `1 - beta`.
        let b1 = Float(beta1), b2 = Float(beta2), eps = epsilon, rescale = rescaleGrad
        let mean = states[0], variance = states[1]
        for i in 0..<count {
            let g = grad[i] * rescale + weight[i] * wd
            mean[i] = b1 * mean[i] + (1 - b1) * g
            variance[i] = b2 * variance[i] + (1 - b2) * g * g
            weight[i] -= lr * mean[i] / (variance[i].squareRoot() + eps)
        }
    }
}
