import Foundation
import Glibc
import Synchronization
import Training

/// How one training worker under mpirun ends, told to the people and programs that look:
/// the job folder's `output/failure` (what the service shows) and a status file that this
/// host's `imgclf launch` reads after the leader's mpirun is done here (it cannot see the
/// worker's exit status: the worker is a child of Open MPI's `orted`, not of the launcher).
///
/// A SIGTERM under mpirun is mpirun ending the job (SIGKILL follows a second later), so it
/// becomes a failure note naming this host and the exchange the worker was in; orderly stops
/// come as SIGUSR1 (see ``StopSignal``).
public final class WorkerExit: Sendable {
    public let jobDir: URL?
    public let rank: Int
    public let host: String
    /// The collective's size and activity, once it exists.
    private let collective = Mutex<(size: Int, activity: @Sendable () -> String)?>(nil)
    /// The exit code once the worker decided it; a teardown then only exits with it.
    private let outcome = Mutex<Int32?>(nil)
    /// This worker's signal handlers. They refer back to this object, so the two live as
    /// long as the process: a signal is handled the same way from before MPI_Init to the end.
    private let handlers = Mutex<StopSignal?>(nil)

    /// Installs the signal handlers, then says "running" (with this process's id, which
    /// the host's launch signals): start it before anything else in the worker.
    public convenience init(jobDir: URL?, rank: Int) {
        // The service's name for this host (resourceconfig.json's current_host), else the system's.
        let resources = jobDir?.appendingPathComponent("input/config/resourceconfig.json")
        let host = resources.flatMap { try? ResourceConfig.read(contentsOf: $0) }?.currentHost ?? WorkerExit.hostName()
        self.init(jobDir: jobDir, rank: rank, host: host, handlingSignals: true)
    }

    /// `handlingSignals` false leaves this process's signals alone (tests).
    init(jobDir: URL?, rank: Int, host: String, handlingSignals: Bool) {
        self.jobDir = jobDir
        self.rank = rank
        self.host = host
        if handlingSignals {
            let signals = StopSignal(teardown: { [self] signal in teardown(signal) })
            handlers.withLock { $0 = signals }
        }
        write(status: "running \(getpid())")
    }

    public func attach(_ collective: any Collective) {
        var probe: @Sendable () -> String = { "training alone" }
        if let mpi = collective as? MPICollective { probe = mpi.activityProbe }
        let size = collective.size
        self.collective.withLock { $0 = (size, probe) }
        write(status: "connected \(getpid())")
    }

    /// "rank 1 of 3 on algo-2: "
    public var prefix: String {
        let size = collective.withLock { $0?.size }
        return "rank \(rank)\(size.map { " of \($0)" } ?? "") on \(host): "
    }

    /// The stop signal for this worker: SIGUSR1 (and SIGTERM's relays) stop it in order,
    /// SIGTERM and SIGINT end it as described above.
    public var stopSignal: StopSignal {
        handlers.withLock { $0 } ?? StopSignal()
    }

    /// The worker ends with `code` (0, or 143 after an orderly stop): from now on a teardown
    /// (mpirun ending the others once one exited) only exits with it.
    public func settle(_ code: Int32) {
        outcome.withLock { current in
            guard current == nil else { return }
            current = code
            write(status: "exit \(code)")
        }
    }

    /// The worker failed with `message`: output/failure says so, with this host's name.
    public func fail(_ message: String) {
        _ = outcome.withLock { recordFailure(message, &$0) }
    }

    /// Under the outcome's lock: the failure is recorded unless an outcome already was;
    /// returns the outcome that stands.
    private func recordFailure(_ message: String, _ current: inout Int32?) -> (code: Int32, recorded: Bool) {
        if let code = current { return (code, false) }
        current = 1
        if let jobDir { JobFolderTraining.reportFailure(root: jobDir, prefix + message) }
        write(status: "failed")
        return (1, true)
    }

    private func teardown(_ signal: Int32) -> Never {
        let activity = collective.withLock { $0?.activity }?() ?? "setting up (before MPI was ready)"
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let message = "ended by \(name) from mpirun while \(activity). mpirun ends every worker when one fails (the leader's output/failure names it) or when it is stopped itself; the last checkpoint is kept, and starting the job again resumes from it. To stop a job and save its state, send SIGTERM to imgclf launch (or SIGUSR1 to mpirun)."
        let (code, recorded) = outcome.withLock { recordFailure(message, &$0) }
        if recorded { FileHandle.standardError.write(Data("error: \(prefix)\(message)\n".utf8)) }
        _exit(code)
    }

    /// This machine's name, for a worker without resourceconfig.json.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "this host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
