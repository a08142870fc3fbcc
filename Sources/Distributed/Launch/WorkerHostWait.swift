import Foundation
import Glibc
import Synchronization
import Training

/// A non-leader host's part of `imgclf launch`: the leader's mpirun starts an `orted` here
/// (over ssh) that runs this host's workers. This waits for it to come and to go, passes a
/// SIGTERM or SIGINT (the service stops every host's container) to the workers as SIGUSR1
/// (an orderly stop), and exits as the workers did, from their status files (``WorkerExit``):
/// they are orted's children, so their exit status never reaches this process.
struct WorkerHostWait {
    let leader: String
    let jobDir: URL
    let host: String
    let workerWait: Double

    func run() throws -> Int32 {
        FileHandle.standardError.write(Data("note: this host is a worker; \(leader) starts its training process through mpirun\n".utf8))
        let stop = Mutex(false)
        let sources = SignalSources.install([SIGTERM, SIGINT]) { _ in
            stop.withLock { $0 = true }
            askWorkersToStop()
        }
        defer { for s in sources { s.cancel() } }

        let started = Date()
        // Until orted (or, when it came and went between two looks, a worker's status) shows up.
        while Self.ortedProcesses().isEmpty && WorkerExit.statuses(jobDir: jobDir).isEmpty {
            if stop.withLock({ $0 }) { return 128 + SIGTERM }
            if Date().timeIntervalSince(started) > workerWait {
                throw LaunchError(description: "\(leader) did not start a worker on this host within \(Int(workerWait)) s: check that it can reach this host over ssh and that the leader's job started")
            }
            Self.reapOrphans()
            Thread.sleep(forTimeInterval: 0.5)
        }
        // A stop asked for while orted was starting its worker: ask again once the worker
        // says it runs (its handlers are in place by then).
        var asked = false
        while !Self.ortedProcesses().isEmpty {
            if !asked, stop.withLock({ $0 }), !runningWorkers().isEmpty {
                askWorkersToStop()
                asked = true
            }
            Self.reapOrphans()
            Thread.sleep(forTimeInterval: 0.5)
        }
        return outcome()
    }

    /// SIGUSR1 to this host's workers that say they run (see ``WorkerExit``): the orderly stop.
    func askWorkersToStop() {
        for pid in runningWorkers() { kill(pid, SIGUSR1) }
    }

    func runningWorkers() -> [pid_t] { WorkerExit.runningWorkers(jobDir: jobDir) }

    /// The workers' exit, from their status files; output/failure when one ended without a word.
    func outcome() -> Int32 {
        let statuses = WorkerExit.statuses(jobDir: jobDir)
        if statuses.isEmpty {
            JobFolderTraining.reportFailure(root: jobDir, "\(host): \(leader)'s mpirun came and went without a training worker starting on this host (it ended early; the leader's output/failure says why)")
            return 1
        }
        let killed = statuses.filter { WorkerExit.saysAlive($0.value) }.keys.sorted()
        if !killed.isEmpty {
            JobFolderTraining.reportFailure(root: jobDir, "\(host): this host's worker (\(killed.joined(separator: ", "))) was killed without a chance to report: by SIGKILL (kill -9, the out-of-memory killer) or with its host's orted. mpirun then ended every worker; the leader's output/failure names what it saw. The last checkpoint is kept, and starting the job again resumes from it.")
            return 1
        }
        if statuses.values.contains("failed") { return 1 }
        let codes = statuses.values.compactMap { Int32($0.dropFirst("exit ".count)) }
        return codes.max() ?? 1
    }

    /// As a container's first process, this one inherits every orphan (an orted whose ssh
    /// session ended, say): reap them, so that none lingers as a zombie.
    static func reapOrphans() {
        guard getpid() == 1 else { return }
        while waitpid(-1, nil, WNOHANG) > 0 {}
    }

    /// Open MPI's daemons on this host.
    static func ortedProcesses() -> [pid_t] {
        processes().filter { $0.name.hasPrefix("orted") }.map(\.pid)
    }

    /// (pid, parent, command name) of every live process in /proc (zombies left out).
    static func processes() -> [(pid: pid_t, parent: pid_t, name: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { entry in
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, fields[0] != "Z", let parent = pid_t(fields[1]) else { return nil }
            return (pid, parent, String(stat[stat.index(after: open)..<close]))
        }
    }
}
