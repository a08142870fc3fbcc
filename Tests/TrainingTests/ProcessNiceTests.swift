import Foundation
import TestFixtures
import Testing

/// `nice -n 15 imgclf ...` stays nice: the threads doing the work (the command's thread and
/// oneDNN's OpenMP threads) run at the niceness the process was started with, not at the
/// priority libdispatch gives its own threads.
@Suite struct ProcessNiceTests {
    @Test func theComputeThreadsKeepTheProcessNiceness() throws {
        let binary = try #require(ImgclfBinary.url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "15", binary.path, "benchmark", "--num_layers", "20", "--image_shape", "3,28,28",
                             "--mini_batch_size", "32", "--num_classes", "10", "--train-only", "--iterations", "400"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        // Wait (up to 60 s on a busy machine) until some threads have done real work.
        var busy: [(tid: String, nice: Int)] = []
        for _ in 0..<120 where busy.isEmpty {
            Thread.sleep(forTimeInterval: 0.5)
            busy = try busyThreads(of: process.processIdentifier)
        }
        #expect(!busy.isEmpty)
        #expect(busy.allSatisfy { $0.nice >= 15 }, "\(busy)")
    }

    /// Threads of `pid` with half a second of CPU or more, with their niceness.
    func busyThreads(of pid: Int32) throws -> [(tid: String, nice: Int)] {
        let tasks = "/proc/\(pid)/task"
        var busy: [(tid: String, nice: Int)] = []
        for tid in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            guard let stat = try? String(contentsOfFile: "\(tasks)/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state is field 3, utime 14, stime 15, nice 19.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let user = Int(fields[11]), let system = Int(fields[12]), let nice = Int(fields[16]) else { continue }
            if user + system >= 50 { busy.append((tid, nice)) }
        }
        return busy
    }
}
