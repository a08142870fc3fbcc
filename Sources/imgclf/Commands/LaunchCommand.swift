import ArgumentParser
import Distributed
import Foundation
import Training

/// `imgclf launch --job-dir DIR`: the container entry point for jobs on several hosts.
/// resourceconfig.json's hosts become mpirun's host list on the leader (the first host);
/// a single host trains alone, without MPI.
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Start a job-folder training on every host of resourceconfig.json (mpirun on the first host).",
        discussion: """
        One host: the same as `imgclf train --job-dir DIR`. Several hosts: the first host runs mpirun with one \
        worker per host (`imgclf train --job-dir DIR --kv_store ...` from hyperparameters.json); the other hosts \
        wait while the leader's mpirun runs their worker (they must accept ssh from the leader, with imgclf and \
        the job folder at the same paths; launch starts /usr/sbin/sshd there when none runs). SIGTERM to launch \
        on any host asks every worker to save its state and stop (exit 143); a failed job leaves output/failure \
        on every host. See docs/distributed.md.
        """)

    @Option(name: .customLong("job-dir"), help: "The job folder (e.g. /opt/ml).") var jobDir: String
    @Option(name: .customLong("processes-per-host"), help: "Workers per host.") var processesPerHost: Int = 1
    @Option(name: .customLong("worker-wait"), help: "Seconds a non-leader host waits for the leader's mpirun to start its worker (and the leader for the others' ssh).")
    var workerWait: Double = 600
    @Option(help: "The mpirun executable.") var mpirun: String = "mpirun"
    @Flag(name: .customLong("dry-run"), help: "Print the plan (and mpirun command) and exit.") var dryRun = false
    @Argument(parsing: .allUnrecognized, help: "Extra hyperparameters as --NAME VALUE, passed to train.") var rest: [String] = []

    func validate() throws {
        try requireRange(processesPerHost, 1...1024, option: "--processes-per-host")
        guard workerWait.isFinite, workerWait >= 0 else {
            throw ValidationError("--worker-wait must be a number of seconds >= 0, got \(workerWait)")
        }
    }

    /// Every error ends up where the service shows it, too: output/failure on this host.
    func run() throws {
        do {
            try launch()
        } catch let error as ExitCode {
            throw error
        } catch {
            JobFolderTraining.reportFailure(root: URL(fileURLWithPath: jobDir), "\(error)")
            throw error
        }
    }

    func launch() throws {
        let root = URL(fileURLWithPath: jobDir)
        let file = root.appendingPathComponent("input/config/resourceconfig.json")
        let resources = FileManager.default.fileExists(atPath: file.path) ? try ResourceConfig.read(contentsOf: file) : .single
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let forward = ContainerEnvironment.forwardedToWorkers
        let plan = LaunchPlan.make(resources: resources, binary: binary, jobDir: jobDir, extra: rest,
                                   processesPerHost: processesPerHost, runningAsRoot: getuid() == 0, forward: forward,
                                   environment: ContainerEnvironment.values)
        let host = resources.currentHost
        switch plan {
        case .alone:
            if dryRun { print("alone: \(binary) train --job-dir \(jobDir)"); return }
            let train = try TrainCommand.parse(["--job-dir", jobDir] + rest)
            try train.run()
        case .leader(var command):
            command[0] = mpirun
            if dryRun { print("leader: " + command.joined(separator: " ")); return }
            Self.forgetEarlierAttempt(root)
            do {
                try SSHAccess.waitForSSH(on: resources.hosts.filter { $0 != host }, seconds: workerWait)
            } catch {
                throw LaunchError(description: "\(host) (the leader): \(error)")
            }
            let code = try LeaderRun(command: command, jobDir: root, host: host).run()
            if code != 0 { throw ExitCode(code) }
        case .worker(let leader):
            if dryRun { print("worker: waiting for \(leader)'s mpirun"); return }
            Self.forgetEarlierAttempt(root)
            let sshd = SSHAccess.startDaemonIfNeeded()
            defer { sshd?.terminate() }
            let code: Int32
            do {
                code = try WorkerHostWait(leader: leader, jobDir: root, host: host, workerWait: workerWait).run()
            } catch {
                throw LaunchError(description: "\(host): \(error)")
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    /// A new attempt (after a failure or a stop) starts without the last one's verdicts.
    static func forgetEarlierAttempt(_ root: URL) {
        WorkerExit.clearStatuses(jobDir: root)
        try? FileManager.default.removeItem(at: root.appendingPathComponent("output/failure"))
    }
}

/// A launch that could not go on: printed as `Error: ...`, without the usage text that
/// ArgumentParser adds to a ValidationError (the arguments were fine).
struct LaunchError: Error, CustomStringConvertible {
    let description: String
}
