/// The sliding window of a Convolution or Pooling node: kernel, stride, dilation and
/// padding per spatial axis, read and range-checked once, with MXNet's output sizes in
/// checked arithmetic. Shape inference and the compiled ops both use it, so they agree.
public struct Window: Sendable {
    public var kernel: [Int]
    public var stride: [Int]
    public var dilate: [Int]
    public var pad: [Int]

    /// The largest kernel, stride, dilation or pad accepted: far beyond any real network,
    /// small enough that no size computed from it can overflow.
    static let maxAttribute = 65_536
    static let positive = 1...maxAttribute
    static let nonNegative = 0...maxAttribute

    /// Reads the attributes for `axes` spatial axes. Omitted (or empty) stride and dilate
    /// are ones, pad zeros, as in MXNet.
    public init(_ node: Node, axes: Int, dilation: Bool) throws {
        func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: detail) }
        kernel = try node.tuple("kernel", in: Window.positive)
        stride = try node.tuple("stride", default: [], in: Window.positive)
        dilate = dilation ? try node.tuple("dilate", default: [], in: Window.positive) : []
        pad = try node.tuple("pad", default: [], in: Window.nonNegative)
        if stride.isEmpty { stride = Array(repeating: 1, count: axes) }
        if dilate.isEmpty { dilate = Array(repeating: 1, count: axes) }
        if pad.isEmpty { pad = Array(repeating: 0, count: axes) }
        guard kernel.count == axes, stride.count == axes, dilate.count == axes, pad.count == axes else {
            throw fail("kernel \(fmt(kernel)), stride \(fmt(stride)), dilate \(fmt(dilate)) and pad \(fmt(pad)) must each have \(axes) entries, one per spatial axis of the data")
        }
    }

    /// Global pooling: one window covering the whole of each spatial axis.
    init(covering sizes: [Int]) {
        kernel = sizes
        stride = sizes.map { _ in 1 }
        dilate = stride
        pad = sizes.map { _ in 0 }
    }

    /// The kernel's extent once dilated: d(k-1)+1.
    func span(_ i: Int) -> Int { dilate[i] * (kernel[i] - 1) + 1 }

    /// Output size on axis `i` for an input of `size`: floor (MXNet's "valid") or ceil ("full")
    /// of (size + 2 pad - span) / stride, plus one. Nil when the window does not fit.
    func outputSize(_ i: Int, input size: Int, ceil: Bool = false) -> Int? {
        guard let padded = ShapeMath.add(size, 2 * pad[i]), padded >= span(i) else { return nil }
        let room = padded - span(i)
        return (ceil ? (room + stride[i] - 1) / stride[i] : room / stride[i]) + 1
    }

    /// The right padding oneDNN needs to produce exactly `output` positions on axis `i`.
    func rightPad(_ i: Int, input: Int, output: Int) -> Int {
        (output - 1) * stride[i] + span(i) - input - pad[i]
    }
}
