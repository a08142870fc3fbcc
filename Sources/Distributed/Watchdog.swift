import Foundation
import Synchronization

/// Ends the process when one MPI wait lasts longer than `timeout`: a dead or hung peer
/// otherwise leaves every other worker blocked in a collective for ever. The message names
/// this rank and what it was waiting for; the non-zero exit makes mpirun end the others.
///
/// A separate thread watches the clock; MPI calls stay on the training thread.
final class Watchdog: Sendable {
    let timeout: Double
    let rank: Int
    let size: Int
    /// What the training thread waits for, and since when; the watching thread reads it.
    private let wait = Mutex<(what: String?, since: Date)>((nil, .distantFuture))

    init(timeout: Double, rank: Int, size: Int) {
        self.timeout = timeout
        self.rank = rank
        self.size = size
        guard timeout.isFinite, timeout > 0 else { return }
        let thread = Thread { [weak self] in
            while let me = self {
                me.check()
                Thread.sleep(forTimeInterval: min(1, me.timeout / 4))
            }
        }
        thread.name = "imgclf-mpi-watchdog"
        thread.start()
    }

    /// Runs `body` (one blocking MPI exchange) under the watch.
    func guarding<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
        let description = what()
        wait.withLock { $0 = (description, Date()) }
        defer { wait.withLock { $0.what = nil } }
        return try body()
    }

    private func check() {
        let (what, started) = wait.withLock { $0 }
        guard let what else { return }
        let waited = Date().timeIntervalSince(started)
        guard waited > timeout else { return }
        let message = "error: rank \(rank) of \(size) waited \(Int(waited)) s for \(what) without an answer: another worker died or hung. Ending the job (the limit is IMGCLF_MPI_TIMEOUT=\(Int(timeout)) seconds); the last saved checkpoint is kept and a restart resumes from it.\n"
        FileHandle.standardError.write(Data(message.utf8))
        // _exit: no atexit handlers, which could block on MPI state.
        _exit(75)
    }
}
