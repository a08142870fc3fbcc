import Foundation
import Glibc
import Training

/// `imgclf launch` on one host of a job folder: resourceconfig.json's hosts make the plan
/// (``LaunchPlan``), and this host takes its part: the leader runs mpirun over every host
/// (``LeaderRun``), another host waits while the leader's mpirun runs its worker
/// (``WorkerHostWait``), a single host trains alone (the caller's `trainAlone`).
public struct HostLaunch {
    public let jobDir: URL
    public let resources: ResourceConfig
    /// What this host does; a leader's command starts with the mpirun to run.
    public let plan: LaunchPlan
    /// A single host's training command, for `--dry-run`.
    let aloneCommand: String
    let environment: ContainerEnvironment

    /// Reads the job folder's resourceconfig.json (a single host when there is none).
    /// - Parameters:
    ///   - binary: the imgclf executable (the same path on every host).
    ///   - extra: hyperparameters passed on to `train` (`--NAME VALUE`).
    ///   - mpirun: the mpirun executable the leader runs.
    public init(jobDir: String, binary: String, extra: [String], processesPerHost: Int, mpirun: String,
                environment: ContainerEnvironment = ContainerEnvironment()) throws {
        let root = URL(fileURLWithPath: jobDir)
        let file = root.appendingPathComponent("input/config/resourceconfig.json")
        let resources = FileManager.default.fileExists(atPath: file.path) ? try ResourceConfig.read(contentsOf: file) : .single
        var plan = LaunchPlan.make(resources: resources, binary: binary, jobDir: jobDir, extra: extra,
                                   processesPerHost: processesPerHost, runningAsRoot: getuid() == 0,
                                   forward: environment.forwardedToWorkers, environment: environment.values)
        if case .leader(var command) = plan {
            command[0] = mpirun
            plan = .leader(command: command)
        }
        (self.jobDir, self.resources, self.plan, self.environment) = (root, resources, plan, environment)
        aloneCommand = "\(binary) train --job-dir \(jobDir)"
    }

    /// The plan in one line, for `--dry-run`.
    public var dryRunDescription: String {
        switch plan {
        case .alone: return "alone: " + aloneCommand
        case .leader(let command): return "leader: " + command.joined(separator: " ")
        case .worker(let leader): return "worker: waiting for \(leader)'s mpirun"
        }
    }

    /// Takes this host's part; returns the exit code for this process (0, 143 after an
    /// orderly stop, else the workers' or mpirun's).
    /// - Parameters:
    ///   - workerWait: seconds a worker host waits for the leader's mpirun to start its worker
    ///     (and the leader for the others' ssh).
    ///   - trainAlone: trains in this process, for a single host.
    public func run(workerWait: Double, trainAlone: () throws -> Void) throws -> Int32 {
        let host = resources.currentHost
        switch plan {
        case .alone:
            try trainAlone()
            return 0
        case .leader(let command):
            Self.forgetEarlierAttempt(jobDir)
            do {
                try SSHAccess.waitForSSH(on: resources.hosts.filter { $0 != host }, seconds: workerWait)
            } catch {
                throw LaunchError(description: "\(host) (the leader): \(error)")
            }
            return try LeaderRun(command: command, jobDir: jobDir, host: host, environment: environment.values).run()
        case .worker(let leader):
            Self.forgetEarlierAttempt(jobDir)
            let sshd = SSHAccess.startDaemonIfNeeded()
            defer { sshd?.terminate() }
            do {
                return try WorkerHostWait(leader: leader, jobDir: jobDir, host: host, workerWait: workerWait).run()
            } catch {
                throw LaunchError(description: "\(host): \(error)")
            }
        }
    }

    /// A new attempt (after a failure or a stop) starts without the last one's verdicts.
    public static func forgetEarlierAttempt(_ root: URL) {
        WorkerExit.clearStatuses(jobDir: root)
        try? FileManager.default.removeItem(at: root.appendingPathComponent("output/failure"))
    }
}
