import Foundation
import Graph

/// `--profile`: where an epoch's wall time went (waiting for the loader, forward and backward
/// per operator kind, the gradient exchange, the optimizer, validation, checkpoints and
/// reports), and the dense operators' achieved GFLOP/s against the cores' estimated peak, so
/// a user whose job is slow can see why.
public final class TrainingProfile: @unchecked Sendable {
    public enum Phase: String, CaseIterable, Sendable {
        case loaderWait = "loader wait"
        case forward, backward
        case exchange = "gradient exchange"
        case optimizer
        case validation
        case checkpoint = "checkpoint and report"
    }

    /// The training executor's per-op times (forward and backward).
    public let executor = ExecutorProfile()
    private var seconds: [Phase: Double] = [:]
    private var started = ExecutorProfile.clock()

    public init() {}

    /// Starts an epoch's figures.
    public func reset() {
        seconds = [:]
        executor.reset()
        started = ExecutorProfile.clock()
    }

    /// Runs `body`, adding its time to `phase`.
    public func time<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let t0 = ExecutorProfile.clock()
        defer { seconds[phase, default: 0] += ExecutorProfile.clock() - t0 }
        return try body()
    }

    /// The epoch's lines: the phases as shares of the wall time, then the operator kinds by
    /// time, the dense ones with their GFLOP/s.
    /// `span` names what was timed: "epoch[3]", "10 iterations".
    public func lines(span: String, peak: CorePeak = .estimated()) -> [String] {
        let wall = ExecutorProfile.clock() - started
        var phases = seconds
        let ops = executor.byKind
        phases[.forward] = ops.values.reduce(0) { $0 + $1.forwardSeconds }
        phases[.backward] = ops.values.reduce(0) { $0 + $1.backwardSeconds }
        let accounted = phases.values.reduce(0, +)
        func share(_ s: Double) -> String { String(format: "%.2f s (%.0f%%)", s, wall > 0 ? 100 * s / wall : 0) }
        var parts = Phase.allCases.map { "\($0.rawValue) \(share(phases[$0] ?? 0))" }
        parts.append("other \(share(max(0, wall - accounted)))")
        var out = ["Profile \(span) \(String(format: "%.2f", wall)) s: " + parts.joined(separator: ", ")]
        let byTime = ops.sorted { $0.value.forwardSeconds + $0.value.backwardSeconds > $1.value.forwardSeconds + $1.value.backwardSeconds }
        for (kind, t) in byTime {
            var line = "Profile \(span) \(kind): " + String(format: "forward %.2f s, backward %.2f s", t.forwardSeconds, t.backwardSeconds)
            if t.forwardFlops > 0 {
                let fwd = t.forwardSeconds > 0 ? t.forwardFlops / t.forwardSeconds / 1e9 : 0
                let bwd = t.backwardSeconds > 0 ? t.backwardFlops / t.backwardSeconds / 1e9 : 0
                line += String(format: "; %.1f GFLOP/s forward, %.1f backward, of an estimated peak of %.0f (%.0f%%, %.0f%%)",
                               fwd, bwd, peak.gflops, 100 * fwd / peak.gflops, 100 * bwd / peak.gflops)
            }
            out.append(line)
        }
        return out
    }
}

/// The cores' float32 peak, estimated from /proc/cpuinfo: threads x clock x FLOPs per cycle
/// (two FMA units: 16 FLOPs a cycle with SSE, 32 with AVX2 or AMD's AVX-512, which runs its
/// 512-bit FMAs in two halves, 64 with Intel's AVX-512).
public struct CorePeak: Sendable {
    public var gflops: Double
    public var detail: String

    public static func estimated(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> CorePeak {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let lines = info.split(separator: "\n")
        let flags = Set(lines.first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let amd = lines.contains { $0.hasPrefix("vendor_id") && $0.contains("AuthenticAMD") }
        let mhz = lines.first { $0.hasPrefix("cpu MHz") }.flatMap { $0.split(separator: ":").last }
            .flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 2000
        let perCycle: Double = flags.contains("avx512f") && !amd ? 64 : flags.contains("fma") ? 32 : 16
        return CorePeak(gflops: Double(threads) * mhz / 1000 * perCycle,
                        detail: "\(threads) threads x \(Int(mhz)) MHz x \(Int(perCycle)) FLOPs a cycle")
    }
}
