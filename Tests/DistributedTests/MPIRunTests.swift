import Foundation
import XCTest

/// Runs scripts/test-distributed: the built imgclf under `mpirun -np 2` (dist_sync weights
/// bit-identical, dist_async converging, a hung or killed worker ending the job, resume).
final class MPIRunTests: XCTestCase {
    func testTwoWorkersUnderMPIRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // The test executable sits beside the imgclf binary of the same build.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imgclf")
        let candidates = [beside, root.appendingPathComponent(".build/release/imgclf")]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("imgclf is not built (looked at \(candidates.map(\.path))): run 'swift build -c release --product imgclf' first")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("mpirun is not installed: run scripts/install-deps")
        }
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/test-distributed")
        process.arguments = [binary.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("all distributed checks passed"), text)
    }
}
