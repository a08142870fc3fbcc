import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestFixtures
import Testing

/// The container's entry points as the service calls them: `docker run IMAGE train`, then
/// `docker run IMAGE serve`, with no other arguments, on the job folder the service mounts
/// (here a temporary one, named by IMGCLF_JOB_DIR in place of /opt/ml) and the port it names.
@Suite(.serialized, .removesTemporaryFolders)
struct ContainerEntryPointTests {
    @Test func trainThenServeThenInvoke() async throws {
        let job = try ServiceJobFolderTests.JobFolder(
            hyperparameters: ServiceJobFolderTests.hyperparameters.merging(["epochs": "1"]) { $1 },
            channels: ["train": ServiceJobFolderTests.channel("application/x-image"),
                       "validation": ServiceJobFolderTests.channel("application/x-image")])
        let fm = FileManager.default
        try fm.moveItem(at: try MNISTSample.subset("train", perClass: 10), to: job.data.appendingPathComponent("train"))
        try fm.moveItem(at: try MNISTSample.subset("validation", perClass: 3), to: job.data.appendingPathComponent("validation"))
        let environment = ["IMGCLF_JOB_DIR": job.root.path]

        let trained = try ImgclfBinary.run(["train"], environment: environment)
        #expect(trained.status == 0, "\(trained.output)")
        #expect(job.modelFiles.contains("image-classification-symbol.json") && !job.modelFiles.contains("model.tar.gz"), "\(job.modelFiles)")
        // Every validation digit is 28x28, and resize is unset: the endpoint resizes to 28.
        let contract = try JSONSerialization.jsonObject(with: Data(contentsOf: job.root.appendingPathComponent("model/preprocessing-contract.json")))
        #expect((contract as? [String: Any])?["validation_shorter_side"] as? Int == 28, "\(contract)")

        // serve, no arguments: the model in JOB_DIR/model, the port from SAGEMAKER_BIND_TO_PORT.
        let digit = MNISTSample.root.appendingPathComponent("validation/7")
        let png = try Data(contentsOf: digit.appendingPathComponent(try fm.contentsOfDirectory(atPath: digit.path).sorted()[0]))
        try await Self.serving(job: job.root, environment: environment) { port in
            let ping = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/ping")!)
            #expect((ping.1 as? HTTPURLResponse)?.statusCode == 200)
            for accept in ["application/json", nil] {
                let (body, type) = try await Self.invoke(port: port, png: png, accept: accept)
                #expect(type == "application/json")
                let probabilities = try #require(try JSONSerialization.jsonObject(with: body) as? [Double])
                #expect(probabilities.count == 10)
                #expect(abs(probabilities.reduce(0, +) - 1) < 1e-4)
            }
        }
        // A batch transform job: the service sets SAGEMAKER_BATCH=true and sends no Accept; the
        // answer is read as the example notebooks read each .out file, json.load(f)["prediction"].
        try await Self.serving(job: job.root, environment: environment.merging(["SAGEMAKER_BATCH": "true"]) { $1 }) { port in
            let (body, type) = try await Self.invoke(port: port, png: png, accept: nil)
            #expect(type == "application/jsonlines")
            let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let probabilities = try #require(object["prediction"] as? [Double])
            #expect(probabilities.count == 10)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-4)
        }
        // A value that is no boolean stops serve at once, naming the variable.
        let bad = try ImgclfBinary.run(["serve"], environment: environment.merging(["SAGEMAKER_BATCH": "ture"]) { $1 })
        #expect(bad.status != 0 && bad.output.contains("SAGEMAKER_BATCH is 'ture'"), "\(bad.output)")
    }

    /// Runs `imgclf serve` with no arguments on the job folder until `body` returns.
    static func serving(job: URL, environment: [String: String], _ body: (Int) async throws -> Void) async throws {
        guard let binary = ImgclfBinary.url else { throw ImgclfBinary.NotBuilt() }
        let fm = FileManager.default
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = binary
        server.arguments = ["serve"]
        server.environment = ProcessInfo.processInfo.environment.merging(environment.merging([
            "SAGEMAKER_BIND_TO_PORT": String(port), "SAGEMAKER_SAFE_PORT_RANGE": "20000-40000",
            "SAGEMAKER_MODEL_SERVER_TIMEOUT": "30", "SAGEMAKER_MODEL_SERVER_WORKERS": "1"]) { $1 }) { $1 }
        let log = job.appendingPathComponent("serve-\(port).log")
        fm.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }

        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? String(contentsOf: log, encoding: .utf8))?.contains("listening on") == true
        }
        #expect(ready, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        try await body(port)
    }

    /// POSTs a PNG to /invocations; the body and its Content-Type.
    static func invoke(port: Int, png: Data, accept: String?) async throws -> (Data, String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/invocations")!)
        request.httpMethod = "POST"
        request.setValue("image/png", forHTTPHeaderField: "Content-Type")
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let (body, response) = try await URLSession.shared.upload(for: request, from: png)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200, "\(String(decoding: body, as: UTF8.self))")
        return (body, http.value(forHTTPHeaderField: "Content-Type"))
    }
}
