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
        the job folder at the same paths). See docs/distributed.md.
        """)

    @Option(name: .customLong("job-dir"), help: "The job folder (e.g. /opt/ml).") var jobDir: String
    @Option(name: .customLong("processes-per-host"), help: "Workers per host.") var processesPerHost: Int = 1
    @Option(name: .customLong("worker-wait"), help: "Seconds a non-leader host waits for the leader's mpirun to start its worker.")
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

    func run() throws {
        let file = URL(fileURLWithPath: jobDir).appendingPathComponent("input/config/resourceconfig.json")
        let resources = FileManager.default.fileExists(atPath: file.path) ? try ResourceConfig.read(contentsOf: file) : .single
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let forward = ContainerEnvironment.forwardedToWorkers
        let plan = LaunchPlan.make(resources: resources, binary: binary, jobDir: jobDir, extra: rest,
                                   processesPerHost: processesPerHost, runningAsRoot: getuid() == 0, forward: forward)
        switch plan {
        case .alone:
            if dryRun { print("alone: \(binary) train --job-dir \(jobDir)"); return }
            let train = try TrainCommand.parse(["--job-dir", jobDir] + rest)
            try train.run()
        case .leader(var command):
            command[0] = mpirun
            if dryRun { print("leader: " + command.joined(separator: " ")); return }
            try exec(command)
        case .worker(let leader):
            if dryRun { print("worker: waiting for \(leader)'s mpirun"); return }
            try waitForLeader(leader)
        }
    }

    /// Replaces this process with mpirun, so signals (SIGTERM on a spot stop) reach it directly.
    func exec(_ command: [String]) throws {
        let argv = command.map { strdup($0) } + [nil]
        execvp(command[0], argv)
        throw LaunchError(description: "could not start \(command[0]): \(String(cString: strerror(errno))); install openmpi-bin (scripts/install-deps)")
    }

    /// A non-leader host: the leader's mpirun starts an `orted` here that runs our worker;
    /// wait for it to appear, then for it to end.
    func waitForLeader(_ leader: String) throws {
        FileHandle.standardError.write(Data("note: this host is a worker; \(leader) starts its training process through mpirun\n".utf8))
        let started = Date()
        while !Self.ortedRunning() {
            if Date().timeIntervalSince(started) > workerWait {
                throw LaunchError(description: "\(leader) did not start a worker on this host within \(Int(workerWait)) s: check that it can reach this host over ssh and that the leader's job started")
            }
            Thread.sleep(forTimeInterval: 1)
        }
        while Self.ortedRunning() { Thread.sleep(forTimeInterval: 2) }
    }

    static func ortedRunning() -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.contains { pid in
            pid.allSatisfy(\.isNumber)
                && (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("orted") == true
        }
    }
}

/// A launch that could not go on: printed as `Error: ...`, without the usage text that
/// ArgumentParser adds to a ValidationError (the arguments were fine).
struct LaunchError: Error, CustomStringConvertible {
    let description: String
}
