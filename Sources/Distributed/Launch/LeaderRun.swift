import Foundation
import Glibc
import Support
import Training

/// The leader host's part of `imgclf launch`: runs mpirun as a child (not exec'd), so that
/// - a SIGTERM or SIGINT (a spot stop, `docker stop`) reaches every worker as an orderly stop:
///   mpirun cannot forward SIGTERM (it ends the job, SIGKILL a second later), so this host's
///   workers and mpirun, which forwards it, are sent SIGUSR1, which the workers take for
///   SIGTERM (see ``SignalRelay``); a second signal is passed on as it is and ends the job;
/// - when the job fails, output/failure starts with what mpirun said (which rank on which
///   host ended how) and the first worker errors, ahead of rank 0's own note.
public struct LeaderRun {
    public let command: [String]
    public let jobDir: URL
    public let host: String
    /// mpirun's environment (``ContainerEnvironment/values``: this process's).
    public let environment: [String: String]

    public init(command: [String], jobDir: URL, host: String, environment: [String: String]) {
        self.command = command
        self.jobDir = jobDir
        self.host = host
        self.environment = environment
    }

    /// Runs the job; returns the exit code for this process.
    public func run() throws -> Int32 {
        // mpirun's output is passed on to ours: a reader gone away must not end the job.
        Glibc.signal(SIGPIPE, SIG_IGN)
        // waitpid needs the child's status: an inherited SIGCHLD=SIG_IGN would reap it unseen.
        Glibc.signal(SIGCHLD, SIG_DFL)
        // Signals are taken from here on; one that comes before mpirun runs is passed on once it does.
        return try run(relay: SignalRelay(jobDir: jobDir))
    }

    /// The run, with `relay` taking this process's SIGTERM and SIGINT (tests pass none).
    func run(relay: SignalRelay?) throws -> Int32 {
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
        relay?.attach(pid)
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
                relay?.deliver()
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
        if code == 128 + SIGTERM && (relay?.stopRequested == true || WorkerExit.statuses(jobDir: jobDir).values.contains("exit \(code)")) {
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
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw LaunchError(description: "could not start \(command[0]): \(SystemErrorText.posix(result)); install openmpi-bin (scripts/install-deps)")
        }
        return pid
    }

    /// A waitpid status as a shell gives it: the exit code, or 128 + the signal that ended it.
    static func exitCode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// output/failure: this host's summary first (the service shows 1024 characters), then
    /// rank 0's note if it wrote one (launch removed the last attempt's file at the start).
    func writeFailure(code: Int32, mpirunSaid: String) {
        let file = jobDir.appendingPathComponent("output/failure")
        let rankZero = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        JobFolderTraining.reportFailure(root: jobDir, Self.failureMessage(host: host, code: code, mpirunSaid: mpirunSaid, rankZeroNote: rankZero))
    }

    /// What output/failure says when mpirun failed: the host, the code, mpirun's summary
    /// (``OutputCapture/summary()``) and rank 0's note unless the summary already holds it.
    static func failureMessage(host: String, code: Int32, mpirunSaid: String, rankZeroNote rankZero: String) -> String {
        var message = "\(host) (the leader): mpirun ended with exit code \(code)"
        message += mpirunSaid.isEmpty ? "." : ": \(mpirunSaid)"
        if !rankZero.isEmpty && !mpirunSaid.contains(rankZero) { message += "\nThe leader's worker: \(rankZero)" }
        return message
    }
}
