import Foundation
import Graph

/// Small constructors over the generated protobuf types (Generated/onnx.pb.swift): nodes,
/// attributes (from the lowerings Graph describes), float tensors and tensor value infos.
enum Proto {
    /// One ONNX node of the default domain.
    static func node(_ opType: String, name: String, inputs: [String], outputs: [String],
                     attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = opType
        n.name = name
        n.input = inputs
        n.output = outputs
        n.attribute = attributes
        return n
    }

    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    /// The attribute a Graph lowering describes.
    static func attribute(_ description: ONNXAttributeDescription) -> Onnx_AttributeProto {
        switch description {
        case let .int(name, value): return int(name, value)
        case let .ints(name, values): return ints(name, values)
        case let .float(name, value): return float(name, value)
        }
    }

    /// A float32 initializer: dims and little-endian raw bytes.
    static func floatTensor(name: String, shape: [Int], values: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var bytes = Data(capacity: values.count * 4)
        for v in values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        t.rawData = bytes
        return t
    }

    /// A float32 tensor's type and shape; a nil dimension is symbolic, named `symbol`.
    static func floatValueInfo(name: String, shape: [Int?], symbol: String, doc: String = "") -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var s = Onnx_TensorShapeProto()
        s.dim = shape.map { size in
            var d = Onnx_TensorShapeProto.Dimension()
            if let size { d.dimValue = Int64(size) } else { d.dimParam = symbol }
            return d
        }
        tensor.shape = s
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        if !doc.isEmpty { info.docString = doc }
        return info
    }

    static func entry(_ key: String, _ value: String) -> Onnx_StringStringEntryProto {
        var e = Onnx_StringStringEntryProto()
        e.key = key
        e.value = value
        return e
    }
}

/// Unique names for the graph's tensors (and, separately, its nodes): MXNet's names where
/// they are free, with a numeric suffix where two would collide.
struct UniqueNames {
    private var used: Set<String>

    init(reserved: Set<String> = []) { used = reserved }

    /// `preferred` if unused, else `preferred_1`, `preferred_2`, ...; the result is taken.
    mutating func take(_ preferred: String) -> String {
        let base = preferred.isEmpty ? "tensor" : preferred
        var name = base, k = 0
        while used.contains(name) {
            k += 1
            name = "\(base)_\(k)"
        }
        used.insert(name)
        return name
    }
}
