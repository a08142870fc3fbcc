import Foundation
import Glibc

/// The workers' status files, `output/.imgclf-workers/rank-N`: "running PID" (its signal
/// handlers are in place), "connected PID" (MPI is up: MPI_Init returns to no worker before
/// every worker has called it, so every worker's handlers are in place), then "exit CODE" or
/// "failed". Each worker writes its own (``WorkerExit``); this host's launch reads them to
/// signal the workers and to learn how they ended.
extension WorkerExit {
    static func statusFolder(jobDir: URL) -> URL {
        jobDir.appendingPathComponent("output/.imgclf-workers")
    }

    /// This worker's status file says `status` (nothing without a job folder).
    func write(status: String) {
        guard let jobDir else { return }
        let folder = Self.statusFolder(jobDir: jobDir)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data((status + "\n").utf8).write(to: folder.appendingPathComponent("rank-\(rank)"), options: .atomic)
    }

    /// Every worker status in the job folder, by file name.
    static func statuses(jobDir: URL) -> [String: String] {
        let folder = statusFolder(jobDir: jobDir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var result: [String: String] = [:]
        for name in names where name.hasPrefix("rank-") {
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            result[name] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    /// The process ids of this host's workers whose handlers are in place ("running PID" or
    /// "connected PID"): a SIGUSR1 to them is a stop, not their end.
    static func runningWorkers(jobDir: URL) -> [pid_t] {
        workers(jobDir: jobDir, saying: aliveStatuses)
    }

    /// How a status file begins while its worker runs with its handlers in place.
    static let aliveStatuses = ["running ", "connected "]

    /// Whether a status says the worker is still running (it has not settled or failed).
    static func saysAlive(_ status: String) -> Bool {
        aliveStatuses.contains(where: status.hasPrefix)
    }

    /// The process ids of this host's workers that are connected ("connected PID"): once one
    /// is, every worker of the job, on every host, takes a SIGUSR1 as a stop.
    static func connectedWorkers(jobDir: URL) -> [pid_t] {
        workers(jobDir: jobDir, saying: ["connected "])
    }

    private static func workers(jobDir: URL, saying prefixes: [String]) -> [pid_t] {
        statuses(jobDir: jobDir).values.compactMap { status in
            prefixes.first(where: status.hasPrefix).flatMap { pid_t(status.dropFirst($0.count)) }
        }
    }

    static func clearStatuses(jobDir: URL) {
        try? FileManager.default.removeItem(at: statusFolder(jobDir: jobDir))
    }
}
