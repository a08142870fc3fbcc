import Foundation

/// ONNX Runtime, run through scripts/onnx_run.py with the venv's python (made by
/// scripts/install-onnx-venv; `make deps` runs it): `$IMGCLF_ONNX_PYTHON`, else
/// `.venv-onnx/bin/python` at the package root. A missing interpreter is an error that says
/// how to make it: these tests fail then rather than pass without having run.
enum ONNXRuntime {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("scripts/onnx_run.py")

    struct Unavailable: Error, CustomStringConvertible {
        let python: String
        var description: String {
            "\(python) is not there: run scripts/install-onnx-venv (it makes .venv-onnx with onnxruntime, onnx and numpy from PyPI), or set IMGCLF_ONNX_PYTHON to a python that has them"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        let status: Int32
        let output: String
        var description: String { "onnx_run.py exited with status \(status):\n\(output)" }
    }

    /// What onnx_run.py reports about a model (info.json).
    struct Info: Decodable {
        struct Opset: Decodable { let domain: String; let version: Int }
        struct Tensor: Decodable { let name: String; let dims: [Dimension]; let elem_type: Int }
        struct Run: Decodable { let batch: Int; let output_shape: [Int] }
        let ir_version: Int
        let opset: [Opset]
        let producer: String
        let metadata: [String: String]
        let inputs: [Tensor]
        let outputs: [Tensor]
        let checked: Bool
        let runs: [Run]
    }

    /// A dimension: a number, or the name of a symbolic one.
    enum Dimension: Decodable, Equatable {
        case fixed(Int)
        case symbolic(String)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .fixed(n) } else { self = .symbolic(try c.decode(String.self)) }
        }
    }

    static var python: URL {
        get throws {
            let path = ProcessInfo.processInfo.environment["IMGCLF_ONNX_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
                ?? packageRoot.appendingPathComponent(".venv-onnx/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: path) else { throw Unavailable(python: path) }
            return URL(fileURLWithPath: path)
        }
    }

    /// Checks `model` with onnx.checker (full check) and runs each batch (float32 NCHW) in
    /// ONNX Runtime; returns the report and the first output of each run.
    static func run(model: URL, batches: [[Float]], workFolder: URL) throws -> (info: Info, outputs: [[Float]]) {
        let python = try python
        var arguments = [script.path, model.path, "--check", "--output-dir", workFolder.path]
        for (k, batch) in batches.enumerated() {
            let file = workFolder.appendingPathComponent("input-\(k).f32")
            try batch.withUnsafeBufferPointer { try Data(buffer: $0).write(to: file) }
            arguments += ["--input", file.path]
        }
        let process = Process()
        process.executableURL = python
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(status: process.terminationStatus, output: text) }
        let info = try JSONDecoder().decode(Info.self, from: Data(contentsOf: workFolder.appendingPathComponent("info.json")))
        let outputs = try batches.indices.map { k in
            let data = try Data(contentsOf: workFolder.appendingPathComponent("output-\(k).f32"))
            return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
        }
        return (info, outputs)
    }
}
