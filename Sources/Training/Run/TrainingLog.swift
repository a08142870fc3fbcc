import Foundation
import Synchronization

/// The training log: MXNet's line formats (which users' metric regular expressions
/// parse), plus progress while an epoch runs — a live bar on a terminal, plain periodic
/// lines (MXNet's Speedometer form) otherwise.
///
/// Any thread may log: the loaders' worker threads write their warnings through `info`
/// while the training loop logs progress. Each line is written whole, under one lock.
/// `@unchecked Sendable`: `write` is a closure that is not marked Sendable, but it is only
/// ever called with `output` held, and the settings never change after `init`.
public final class TrainingLog: @unchecked Sendable {
    private let write: (String) -> Void
    private let interactive: Bool
    private let progressInterval: Double
    private let output = Mutex(Output())

    private struct Output {
        var lastProgress = Date.distantPast
        var barShown = false
    }

    /// `write` receives whole lines; `interactive` draws a bar on standard error.
    public init(interactive: Bool = isatty(STDERR_FILENO) != 0, progressInterval: Double = 20,
                write: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.interactive = interactive
        self.progressInterval = progressInterval
        self.write = write
    }

    public func info(_ line: String) {
        output.withLock { out in
            Self.clearBar(&out)
            write(line)
        }
    }

    /// `Epoch[k] Train-accuracy=0.912345` (MXNet prints metrics with `%f`).
    public func metric(epoch: Int, _ name: String, _ value: Double) {
        info("Epoch[\(epoch)] \(name)=\(String(format: "%f", value))")
    }

    public func timeCost(epoch: Int, seconds: Double) {
        info("Epoch[\(epoch)] Time cost=\(String(format: "%.3f", seconds))")
    }

    /// Progress within an epoch.
    public func progress(epoch: Int, batch: Int, batches: Int?, imagesPerSecond: Double, loss: Double,
                         accuracy: Double, secondsLeft: Double?) {
        let now = Date()
        output.withLock { out in
            if interactive {
                guard now.timeIntervalSince(out.lastProgress) > 0.2 else { return }
                out.lastProgress = now
                let total = batches.map { "/\($0)" } ?? ""
                var bar = ""
                if let batches, batches > 0 {
                    let width = 24, filled = min(width, width * batch / batches)
                    bar = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
                }
                let eta = secondsLeft.map { " eta " + Self.clock($0) } ?? ""
                let text = "Epoch[\(epoch)] \(bar)\(batch)\(total) \(String(format: "%.1f", imagesPerSecond)) img/s loss \(String(format: "%.4f", loss)) acc \(String(format: "%.4f", accuracy))\(eta)"
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
                out.barShown = true
            } else {
                guard now.timeIntervalSince(out.lastProgress) >= progressInterval else { return }
                out.lastProgress = now
                write("Epoch[\(epoch)] Batch [\(batch)\(batches.map { "/\($0)" } ?? "")]\tSpeed: \(String(format: "%.2f", imagesPerSecond)) samples/sec\tloss=\(String(format: "%f", loss))\taccuracy=\(String(format: "%f", accuracy))")
            }
        }
    }

    public func endProgress() {
        output.withLock { out in
            Self.clearBar(&out)
            out.lastProgress = .distantPast
        }
    }

    private static func clearBar(_ out: inout Output) {
        if out.barShown {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            out.barShown = false
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
