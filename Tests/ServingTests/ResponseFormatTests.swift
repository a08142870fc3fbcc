import Foundation
import Serving
import Testing

/// Content negotiation and the JSON text the server writes.
struct ResponseFormatTests {
    @Test func acceptHeaders() {
        #expect(ResponseFormat.negotiate(accept: nil) == .json)
        #expect(ResponseFormat.negotiate(accept: "") == .json)
        #expect(ResponseFormat.negotiate(accept: "*/*") == .json)
        #expect(ResponseFormat.negotiate(accept: "application/json; charset=utf-8") == .json)
        #expect(ResponseFormat.negotiate(accept: "Application/JSONLines") == .jsonLines)
        #expect(ResponseFormat.negotiate(accept: "text/html, application/jsonlines;q=0.9") == .jsonLines)
        #expect(ResponseFormat.negotiate(accept: "text/csv") == nil)
    }

    /// In a batch transform job a missing or wildcard Accept means JSON Lines; a format the
    /// client names (or a higher q) still wins.
    @Test func batchTransformPrefersJSONLines() {
        for accept in [nil, "", "*/*", "application/*", "*/*;q=0.8", "text/html, */*"] {
            #expect(ResponseFormat.negotiate(accept: accept, preferring: .jsonLines) == .jsonLines, "\(accept ?? "nil")")
        }
        #expect(ResponseFormat.negotiate(accept: "application/json", preferring: .jsonLines) == .json)
        #expect(ResponseFormat.negotiate(accept: "application/json, */*", preferring: .jsonLines) == .json)
        #expect(ResponseFormat.negotiate(accept: "*/*;q=0.5, application/json", preferring: .jsonLines) == .json)
        #expect(ResponseFormat.negotiate(accept: "text/csv", preferring: .jsonLines) == nil)
    }

    @Test func contentTypes() {
        #expect(MediaTypes.images.contains(MediaTypes.essence("Image/JPEG; charset=binary")))
        #expect(MediaTypes.images.contains(MediaTypes.essence("application/x-image")))
        #expect(!MediaTypes.images.contains(MediaTypes.essence("application/x-recordio")))
    }

    /// Floats are written with their shortest round-trip text, so the client reads back the
    /// exact float32 the network produced.
    @Test func bodiesRoundTrip() throws {
        let p: [Float] = [0.1, 1e-7, 0.33333334, 1]
        let json = ResponseFormat.json.body(p)
        let back = try JSONDecoder().decode([Double].self, from: Data(json.utf8)).map(Float.init)
        #expect(back == p)
        let line = ResponseFormat.jsonLines.body(p)
        #expect(line.hasSuffix("\n"))
        let object = try JSONDecoder().decode([String: [Double]].self, from: Data(line.utf8))
        #expect(object["prediction"]!.map(Float.init) == p)
        #expect(JSONText.array([.nan]) == "[null]")
        #expect(JSONText.error("bad \"x\"\n") == "{\"error\": \"bad \\\"x\\\"\\n\"}")
    }

    @Test func topK() {
        let top = PredictionOutput.topK([0.1, 0.5, 0.2, 0.5], k: 3)
        #expect(top.map(\.index) == [1, 3, 2])
        let line = PredictionOutput.line(file: "a.jpg", probabilities: [0.25, 0.75], k: 1, classNames: ["cat", "dog"])
        #expect(line == "{\"file\": \"a.jpg\", \"probabilities\": [0.25, 0.75], \"top_k\": [{\"class\": 1, \"name\": \"dog\", \"probability\": 0.75}]}")
    }
}
