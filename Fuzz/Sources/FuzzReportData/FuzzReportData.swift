import Foundation
import FuzzSupport
import Models
import Reports
import Serving
import Support

/// The test model, and its predictor (built once: the report only reads its classes).
let model = try? ModelArtifact.load(from: Fuzz.resource("Fixtures/Resources/models/resnet8-3x28x28"))
let predictor = model.flatMap { try? Predictor(artifact: $0, options: PredictorOptions(maxBatch: 1, cachedExecutors: 1, preprocessThreads: 1)) }

/// The report's data from an artifact: byte 0 even, the rest is the artifact's
/// `training-history.json`, built into report.html's data and rendered; odd, the rest is a
/// class or file name, embedded into a page, which must leave no `<`, `>`, `&`, U+2028 or
/// U+2029 for the HTML or JavaScript parser (a crash here is a page that text could break).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReportData(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    if mode % 2 == 0 {
        guard var artifact = model, let predictor else { return 0 }
        guard let history = try? EpochRecord.history(from: Data(rest), source: "fuzz") else { return 0 }
        artifact.history = history
        guard let built = try? ReportBuilder(title: "fuzz", artifact: artifact, predictor: predictor).build(),
              let json = try? built.data.json() else { return 0 }
        _ = EmbeddedPage.report.render(json: json)
    } else {
        let name = String(decoding: rest, as: UTF8.self)
        guard let json = try? JSONEncoder().encode([name]) else { return 0 }
        let embedded = EmbeddedPage.scriptSafe(json)
        for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}"] where embedded.contains(forbidden) {
            fatalError("the embedded data still holds \(forbidden.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        let back = try? JSONDecoder().decode([String].self, from: Data(embedded.utf8))
        if back != [name] { fatalError("the embedded data does not decode to the same name") }
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzReportData) }
}
