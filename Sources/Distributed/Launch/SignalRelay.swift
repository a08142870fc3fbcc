import Foundation
import Glibc
import Synchronization
import Training

/// SIGTERM and SIGINT to the launcher: the first asks the workers to stop in order, any
/// later one is passed to mpirun as it is.
///
/// The stop goes as SIGUSR1 to this host's workers (by the PIDs in their status files) and
/// through mpirun to every worker, once this host's workers say they are connected: MPI is
/// then up, which no worker gets to before every worker, on every host, has its handlers in
/// place. Before that, a worker still starting on a slow host would be ended by the SIGUSR1
/// (and mpirun, while it starts them, ends the job on it); one worker's stop flag stops them
/// all anyway. A second signal goes to mpirun at once.
///
/// `@unchecked Sendable`: `sources` (kept alive here) is only written in init; `state` is a Mutex.
final class SignalRelay: @unchecked Sendable {
    private struct State { var child: pid_t?; var count = 0; var delivered = false }
    private let state = Mutex(State())
    private let jobDir: URL
    private var sources: [DispatchSourceSignal] = []

    init(jobDir: URL) {
        self.jobDir = jobDir
        sources = SignalSources.install([SIGTERM, SIGINT]) { [weak self] s in self?.relay(s) }
    }

    /// mpirun runs (as `child`).
    func attach(_ child: pid_t) {
        state.withLock { $0.child = child }
        deliver()
    }

    var stopRequested: Bool { state.withLock { $0.count > 0 } }

    private func relay(_ signal: Int32) {
        let (child, count) = state.withLock { s in s.count += 1; return (s.child, s.count) }
        if count == 1 {
            FileHandle.standardError.write(Data("note: signal \(signal): asking every worker to save its state and stop (SIGUSR1); a second signal ends the job at once\n".utf8))
            deliver()
        } else if let child {
            kill(child, signal)
        }
    }

    /// Sends a requested stop once this host's workers are connected; call it again until it went.
    func deliver() {
        guard state.withLock({ $0.count > 0 && !$0.delivered }) else { return }
        let workers = WorkerExit.connectedWorkers(jobDir: jobDir)
        let child: pid_t? = state.withLock { s in
            guard s.count > 0, !s.delivered, let child = s.child, !workers.isEmpty else { return nil }
            s.delivered = true
            return child
        }
        guard let child else { return }
        for pid in workers { kill(pid, SIGUSR1) }
        kill(child, SIGUSR1)
    }
}
