import Foundation
import Support
import Glibc
import Synchronization
import Training

/// The leader host's part of `imgclf launch`: runs mpirun as a child (not exec'd), so that
/// - a SIGTERM or SIGINT (a spot stop, `docker stop`) reaches every worker as an orderly stop:
///   mpirun cannot forward SIGTERM (it ends the job, SIGKILL a second later), so this host's
///   workers and mpirun, which forwards it, are sent SIGUSR1, which the workers take for
///   SIGTERM (see ``SignalRelay``); a second signal is passed on as it is and ends the job;
/// - when the job fails, output/failure starts with what mpirun said (which rank on which
///   host ended how) and the first worker errors, ahead of rank 0's own note.
struct LeaderRun {
    let command: [String]
    let jobDir: URL
    let host: String

    /// Runs the job; returns the exit code for this process.
    func run() throws -> Int32 {
        // mpirun's output is passed on to ours: a reader gone away must not end the job.
        Glibc.signal(SIGPIPE, SIG_IGN)
        // waitpid needs the child's status: an inherited SIGCHLD=SIG_IGN would reap it unseen.
        Glibc.signal(SIGCHLD, SIG_DFL)
        // Signals are taken from here on; one that comes before mpirun runs is passed on once it does.
        let relay = SignalRelay(jobDir: jobDir)
        var stderrPipe: [Int32] = [0, 0]
        // Close-on-exec: only mpirun's fd 2 (the dup) holds the write end, so the drain ends with it.
        guard pipe(&stderrPipe) == 0 else {
            throw LaunchError(description: "could not make a pipe for mpirun: \(SystemErrorText.current())")
        }
        for fd in stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do { pid = try spawn(stderrTo: stderrPipe[1]) } catch {
            close(stderrPipe[0]); close(stderrPipe[1])
            throw error
        }
        close(stderrPipe[1])
        relay.attach(pid)
        let capture = OutputCapture()
        let readEnd = stderrPipe[0]
        let reader = Thread { capture.drain(readEnd) }
        reader.start()

        var status: Int32 = 0
        var waited: pid_t
        // Polls, so that a stop asked for while the workers start goes out once they run.
        repeat {
            waited = waitpid(pid, &status, WNOHANG)
            if waited == 0 {
                relay.deliver()
                Thread.sleep(forTimeInterval: 0.2)
            }
        } while waited == 0 || (waited < 0 && errno == EINTR)
        guard waited == pid else {
            throw LaunchError(description: "lost track of mpirun (pid \(pid)): waitpid failed with \(SystemErrorText.current())")
        }
        // Something mpirun started may still hold its stderr: do not wait for ever.
        capture.waitUntilDrained(seconds: 10)
        let code = Self.exitCode(status)
        if code == 0 { return 0 }
        // An orderly stop, asked here or on another host (its launch told the workers there).
        if code == 128 + SIGTERM && (relay.stopRequested || WorkerExit.statuses(jobDir: jobDir).values.contains("exit \(code)")) {
            return code
        }
        writeFailure(code: code, mpirunSaid: capture.summary())
        return code
    }

    /// mpirun with default signal dispositions and mask (this process ignores the ones it relays).
    private func spawn(stderrTo fd: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        // No terminal input for mpirun (a background job must not stop on it).
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        // Its own process group: a Ctrl-C or a signal to our group reaches this process only,
        // which turns it into an orderly stop; mpirun would end the job at once.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let argv = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, command[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw LaunchError(description: "could not start \(command[0]): \(SystemErrorText.posix(result)); install openmpi-bin (scripts/install-deps)")
        }
        return pid
    }

    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// output/failure: this host's summary first (the service shows 1024 characters), then
    /// rank 0's note if it wrote one (launch removed the last attempt's file at the start).
    private func writeFailure(code: Int32, mpirunSaid: String) {
        let file = jobDir.appendingPathComponent("output/failure")
        let rankZero = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var message = "\(host) (the leader): mpirun ended with exit code \(code)"
        message += mpirunSaid.isEmpty ? "." : ": \(mpirunSaid)"
        if !rankZero.isEmpty && !mpirunSaid.contains(rankZero) { message += "\nThe leader's worker: \(rankZero)" }
        JobFolderTraining.reportFailure(root: jobDir, message)
    }
}

/// SIGTERM and SIGINT to the launcher: the first asks the workers to stop in order, any
/// later one is passed to mpirun as it is.
///
/// The stop goes as SIGUSR1 to this host's workers (by the PIDs in their status files, so
/// only once their handlers are in place) and through mpirun to every worker. mpirun gets it
/// only once this host's workers run: before that, mpirun itself may still be starting them
/// (a SIGUSR1 then ended it without a job), and one worker's stop flag stops them all anyway.
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

    /// Sends a requested stop once this host's workers run; call it again until it went.
    func deliver() {
        guard state.withLock({ $0.count > 0 && !$0.delivered }) else { return }
        let workers = WorkerExit.runningWorkers(jobDir: jobDir)
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
            buffer.withUnsafeBytes { _ = write(2, $0.baseAddress!, n) }
            note(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        close(fd)
        drained.signal()
    }

    func waitUntilDrained(seconds: Double) { _ = drained.wait(timeout: .now() + seconds) }

    private func note(_ text: String) {
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
