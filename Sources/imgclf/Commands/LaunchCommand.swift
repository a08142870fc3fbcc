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
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let launch = try HostLaunch(jobDir: jobDir, binary: binary, extra: rest, processesPerHost: processesPerHost, mpirun: mpirun)
        if dryRun { print(launch.dryRunDescription); return }
        let code = try launch.run(workerWait: workerWait) {
            try TrainCommand.parse(["--job-dir", jobDir] + rest).run()
        }
        if code != 0 { throw ExitCode(code) }
    }
}
