import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestFixtures

/// `imgclf serve` run as a user runs it, on a free port, until the test ends.
final class ServerProcess {
    let process = Process()
    let log: URL
    private(set) var port = 0

    init(model: URL, extra: [String] = [], folder: URL) throws {
        guard let binary = ImgclfBinary.url else { throw ImgclfBinary.NotBuilt() }
        log = folder.appendingPathComponent("serve-\(UUID().uuidString).log")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = binary
        process.arguments = ["serve", "--model", model.path, "--host", "127.0.0.1", "--port", "0", "--workers", "1"] + extra
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits for the "listening on 127.0.0.1:PORT" line and returns the port.
    func ready() async throws -> Int {
        for _ in 0..<600 {
            if let range = output.range(of: "listening on 127.0.0.1:") {
                let digits = output[range.upperBound...].prefix { $0.isNumber }
                if let p = Int(digits), p > 0 {
                    port = p
                    return p
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ReportTools.Failed(description: "imgclf serve did not start:\n\(output)")
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func get(_ path: String) async throws -> (Data, HTTPURLResponse) {
        let (data, response) = try await URLSession.shared.data(from: url(path))
        return (data, response as! HTTPURLResponse)
    }

    func send(_ method: String, _ path: String, body: Data, contentType: String) async throws -> (Data, HTTPURLResponse) {
        var request = URLRequest(url: url(path))
        request.httpMethod = method
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await URLSession.shared.upload(for: request, from: body)
        return (data, response as! HTTPURLResponse)
    }
}
