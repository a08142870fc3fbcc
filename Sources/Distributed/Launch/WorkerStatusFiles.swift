import Foundation
import Glibc

/// The workers' status files, `output/.imgclf-workers/rank-N`: "running PID", then
/// "exit CODE" or "failed". Each worker writes its own (``WorkerExit``); this host's launch
/// reads them to signal the workers and to learn how they ended.
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

    /// The process ids in the status files that say "running PID".
    static func runningWorkers(jobDir: URL) -> [pid_t] {
        statuses(jobDir: jobDir).values.compactMap { status in
            status.hasPrefix("running ") ? pid_t(status.dropFirst("running ".count)) : nil
        }
    }

    static func clearStatuses(jobDir: URL) {
        try? FileManager.default.removeItem(at: statusFolder(jobDir: jobDir))
    }
}
