import Foundation
import Glibc
import Synchronization

/// mpirun's standard error, passed through to this process's and remembered: the first
/// worker errors and mpirun's last message, for output/failure.
final class OutputCapture: Sendable {
    private struct Seen { var errors: [String] = []; var tail = ""; var pending = "" }
    private let seen = Mutex(Seen())
    private let drained = DispatchSemaphore(value: 0)

    func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            buffer.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                _ = write(2, base, n)
            }
            note(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        close(fd)
        drained.signal()
    }

    func waitUntilDrained(seconds: Double) { _ = drained.wait(timeout: .now() + seconds) }

    /// Takes in a piece of mpirun's output (lines may be split across pieces).
    func note(_ text: String) {
        seen.withLock { s in
            s.pending += text
            while let newline = s.pending.firstIndex(of: "\n") {
                let line = String(s.pending[..<newline])
                s.pending = String(s.pending[s.pending.index(after: newline)...])
                if line.hasPrefix("error: ") && s.errors.count < 3 { s.errors.append(String(line.dropFirst(7))) }
                s.tail += line + "\n"
                if s.tail.utf8.count > 16_384 { s.tail = String(s.tail.suffix(8_192)) }
            }
        }
    }

    /// mpirun's last boxed message (between its dashed lines), then the first worker errors, on one line each.
    func summary() -> String {
        seen.withLock { s in
            let blocks = s.tail.components(separatedBy: "--------------------------------------------------------------------------")
            let lastBlock = blocks.count >= 3 ? blocks[blocks.count - 2] : ""
            let mpirun = lastBlock.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return ((mpirun.isEmpty ? [] : ["mpirun: " + mpirun]) + s.errors).joined(separator: "\n")
        }
    }
}
