import Foundation
import TestFixtures

/// The tools that check what a person would see, run with `.venv-report/bin/python` (made by
/// scripts/install-report-tools; `make deps` runs it): headless Chromium driven through
/// scripts/browser_check.py, and TensorBoard's own reader in scripts/read_tensorboard.py.
/// A missing interpreter is an error that says how to make it: these tests fail rather than
/// pass without having looked.
enum ReportTools {
    static let root = ImgclfBinary.repository

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static var python: URL {
        get throws {
            let path = ProcessInfo.processInfo.environment["IMGCLF_REPORT_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
                ?? root.appendingPathComponent(".venv-report/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failed(description: "\(path) is not there: run scripts/install-report-tools (Chromium and chromedriver from Debian, selenium and tensorboard from PyPI into .venv-report)")
            }
            return URL(fileURLWithPath: path)
        }
    }

    /// Runs `scripts/SCRIPT ARGS` and decodes the JSON line it prints last.
    static func run<T: Decodable>(_ script: String, _ arguments: [String], as type: T.Type) throws -> T {
        let process = Process()
        process.executableURL = try python
        process.arguments = [root.appendingPathComponent("scripts/\(script)").path] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes drain on their own threads: a chatty stderr cannot block the tool.
        nonisolated(unsafe) var errors = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        drained.wait()
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw Failed(description: "\(script) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus):\n\(text)\n\(String(decoding: errors, as: UTF8.self))")
        }
        return try JSONDecoder().decode(T.self, from: Data(line.utf8))
    }

    /// What browser_check.py saw in a report page.
    struct ReportView: Decodable {
        let svg_paths: Int
        let confusion_cells: Int
        let mistakes: Int
        let console_errors: [String]
        let title: String
        /// `<script>` elements in the page (2: its data and its code).
        let scripts: Int
        /// alert/confirm/prompt calls (none unless injected markup ran).
        let alerts: [String]
        /// The page's text outside its scripts.
        let text: String
    }

    /// What browser_check.py saw after it uploaded an image through the serving page.
    struct ServeView: Decodable {
        let state: String
        let top1_index: Int?
        let top1_probability: Double?
        let results: [[Double]]
        let error: String?
        let console_errors: [String]
        let card_text: String
        let scripts: Int
        let alerts: [String]
        let text: String
    }

    /// Scalars as TensorBoard's EventAccumulator reads them: tag -> [[step, value, wall time]].
    struct Scalars: Decodable {
        let tags: [String]
        let scalars: [String: [[Double]]]
    }

    /// `IMGCLF_SCREENSHOT_DIR`, when set, keeps the tests' screenshots (docs/ has them).
    static func screenshot(_ name: String) -> [String] {
        guard let dir = ProcessInfo.processInfo.environment["IMGCLF_SCREENSHOT_DIR"], !dir.isEmpty else { return [] }
        return ["--screenshot", URL(fileURLWithPath: dir).appendingPathComponent(name).path]
    }

    static func viewReport(_ file: URL, classes: Int, multiLabel: Bool = false, screenshot: String? = nil) throws -> ReportView {
        try run("browser_check.py", ["report", file.path, "--classes", String(classes)] + (multiLabel ? ["--multi-label"] : [])
                + (screenshot.map(Self.screenshot) ?? []), as: ReportView.self)
    }

    static func scalars(in folder: URL) throws -> Scalars {
        try run("read_tensorboard.py", [folder.path], as: Scalars.self)
    }
}

/// The JSON a report page embeds, read back from the file.
enum EmbeddedJSON {
    static func object(in page: String, id: String) throws -> [String: Any] {
        let open = "<script id=\"\(id)\" type=\"application/json\">"
        guard let start = page.range(of: open), let end = page.range(of: "</script>", range: start.upperBound..<page.endIndex) else {
            throw ReportTools.Failed(description: "no \(open) element in the page")
        }
        let json = String(page[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "<\\/", with: "</")
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ReportTools.Failed(description: "the \(id) element does not hold a JSON object")
        }
        return object
    }
}
