import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestFixtures
import Testing

/// `GET /` on `imgclf serve`: the page to try a model, driven in headless Chromium; the
/// service's paths stay as they were, and `--no-ui` turns the page off.
@Suite(.serialized, .removesTemporaryFolders)
struct ServePageTests {
    @Test func aDigitUploadedThroughThePageGetsTheInvocationsAnswer() async throws {
        let run = try TrainedDigits.run.get()
        let server = try ServerProcess(model: run.model, folder: TemporaryFolders.url("serve"))
        _ = try await server.ready()

        let (page, response) = try await server.get("/")
        #expect(response.statusCode == 200)
        #expect(response.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(response.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("default-src 'none'") == true)
        let card = try EmbeddedJSON.object(in: String(decoding: page, as: UTF8.self), id: "model-card")
        #expect(card["classes"] as? [String] == (0..<10).map(String.init))
        #expect(card["image_shape"] as? [Int] == [1, 28, 28] && card["num_layers"] as? Int == 8)
        let history = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: run.model.appendingPathComponent("training-history.json"))) as? [[String: Any]])
        // The served checkpoint is the highest-numbered one; its number is its epoch + 1.
        let served = try #require(try FileManager.default.contentsOfDirectory(atPath: run.model.path)
            .compactMap { name -> Int? in
                guard name.hasPrefix("image-classification-"), name.hasSuffix(".params") else { return nil }
                return Int(name.dropFirst("image-classification-".count).dropLast(".params".count))
            }.max())
        let record = try #require(history.first { $0["epoch"] as? Int == served - 1 })
        #expect(card["validation_accuracy"] as? Double == record["validationAccuracy"] as? Double,
                "the served checkpoint's validation accuracy")

        // A seven from the validation channel, through the page's file input.
        let folder = TrainedDigits.digits.appendingPathComponent("validation/7")
        let image = folder.appendingPathComponent(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()[3])
        let view = try ReportTools.run("browser_check.py", ["serve", server.url("/").absoluteString, "--image", image.path]
                                       + ReportTools.screenshot("serve-page.png"), as: ReportTools.ServeView.self)
        #expect(view.state == "done", "\(view)")
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.card_text.contains("1 × 28 × 28") && view.card_text.contains("8 layers"), "\(view.card_text)")

        let (body, answer) = try await server.send("POST", "/invocations", body: Data(contentsOf: image), contentType: "image/png")
        #expect(answer.statusCode == 200)
        let probabilities = try #require(try JSONSerialization.jsonObject(with: body) as? [Double])
        let top = try #require(probabilities.indices.max { probabilities[$0] < probabilities[$1] })
        #expect(view.top1_index == top)
        #expect(abs((view.top1_probability ?? -1) - probabilities[top]) < 1e-6)
        #expect(view.results.count == 5, "the card's top 5")
    }

    @Test func thePageShowsTheServersErrorForAFileThatIsNoImage() async throws {
        let run = try TrainedDigits.run.get()
        let folder = TemporaryFolders.url("serve-error")
        let server = try ServerProcess(model: run.model, folder: folder)
        _ = try await server.ready()
        let notAnImage = folder.appendingPathComponent("notes.png")
        try Data("these are notes, not pixels".utf8).write(to: notAnImage)
        let view = try ReportTools.run("browser_check.py", ["serve", server.url("/").absoluteString, "--image", notAnImage.path],
                                       as: ReportTools.ServeView.self)
        #expect(view.state == "error", "\(view)")
        #expect(view.error?.isEmpty == false)
        #expect(view.top1_index == nil)
    }

    @Test func theServicesPathsAreNotThePageAndNoUITurnsItOff() async throws {
        let run = try TrainedDigits.run.get()
        let folder = TemporaryFolders.url("serve-paths")
        let server = try ServerProcess(model: run.model, folder: folder)
        _ = try await server.ready()
        let (ping, pingResponse) = try await server.get("/ping")
        #expect(pingResponse.statusCode == 200 && ping.isEmpty)
        let (_, execution) = try await server.get("/execution-parameters")
        #expect(execution.value(forHTTPHeaderField: "Content-Type") == "application/json")
        let (_, post) = try await server.send("POST", "/", body: Data(), contentType: "image/png")
        #expect(post.statusCode == 405 && post.value(forHTTPHeaderField: "Allow") == "GET")

        let quiet = try ServerProcess(model: run.model, extra: ["--no-ui"], folder: folder)
        _ = try await quiet.ready()
        let (_, off) = try await quiet.get("/")
        #expect(off.statusCode == 404)
        let (_, stillPing) = try await quiet.get("/ping")
        #expect(stillPing.statusCode == 200)
        #expect(!quiet.output.contains("a page to try it"), "\(quiet.output)")
        #expect(server.output.contains("a page to try it at http://127.0.0.1:"), "\(server.output)")
    }
}
