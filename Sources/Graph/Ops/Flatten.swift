import CDNNL
import Compute

/// MXNet `Flatten`: [N, C, H, W] in whatever layout → plain [N, C*H*W].
final class FlattenOp: Op {
    let output: Value
    private let input: Value
    private let toPlain: Reorder
    private let fromPlain: Reorder
    private let plain: Tensor
    private var gradientAsNCHW: Tensor?

    init(input: Value) {
        self.input = input
        let d = input.desc.dims
        let plainDesc = MemoryDesc.plain(d)
        plain = Tensor(plainDesc, zeroed: false)
        toPlain = Reorder(from: input.desc, to: plainDesc)
        fromPlain = Reorder(from: plainDesc, to: input.desc)
        let flat = [d[0], d.dropFirst().reduce(1, *)]
        output = Value(.plain(flat), tensor: Tensor.view(of: plain, as: .plain(flat)))
    }

    var inputs: [Value] { [input] }

    func forward() { toPlain.run(input.tensor, plain) }

    func backward() {
        guard output.hasGradient else { return }
        // The output gradient is plain [N, CHW]; view it as plain NCHW, then reorder.
        if gradientAsNCHW == nil { gradientAsNCHW = Tensor.view(of: output.grad!, as: .plain(input.desc.dims)) }
        let ds = input.gradientDestination()
        fromPlain.run(gradientAsNCHW!, ds)
        input.gradientDelivered(ds)
    }
}
