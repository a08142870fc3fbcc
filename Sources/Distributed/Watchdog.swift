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
    /// `last`: the exchange before, for ``activity`` between exchanges.
    private let wait = Mutex<(what: String?, since: Date, last: String?)>((nil, .distantFuture, nil))

    let beforeExit: (@Sendable (String) -> Void)?

    init(timeout: Double, rank: Int, size: Int, beforeExit: (@Sendable (String) -> Void)? = nil) {
        self.timeout = timeout
        self.rank = rank
        self.size = size
        self.beforeExit = beforeExit
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
        wait.withLock { $0 = (description, Date(), $0.last) }
        defer { wait.withLock { $0 = (nil, .distantFuture, description) } }
        return try body()
    }

    /// What the training thread is doing as far as MPI goes, for a message when the job is
    /// ended from outside: the exchange it waits in (and for how long), or the one before.
    var activity: String {
        let (what, since, last) = wait.withLock { $0 }
        if let what { return "waiting \(Int(Date().timeIntervalSince(since))) s for \(what)" }
        if let last { return "computing between exchanges (the last one: \(last))" }
        return "setting up (no exchange yet)"
    }

    private func check() {
        let (what, started, _) = wait.withLock { $0 }
        guard let what else { return }
        let waited = Date().timeIntervalSince(started)
        guard waited > timeout else { return }
        let detail = "waited \(Int(waited)) s for \(what) without an answer: another worker died or hung. Ending the job (the limit is IMGCLF_MPI_TIMEOUT=\(Int(timeout)) seconds); the last saved checkpoint is kept and a restart resumes from it."
        FileHandle.standardError.write(Data("error: rank \(rank) of \(size) \(detail)\n".utf8))
        beforeExit?(detail)
        // _exit: no atexit handlers, which could block on MPI state.
        _exit(75)
    }
}
