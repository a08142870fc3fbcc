@testable import Distributed
import Foundation
import Glibc
import TestFixtures
import Testing

/// `imgclf launch`'s part on each host of a job folder, without running mpirun.
@Suite(.removesTemporaryFolders) struct HostLaunchTests {
    static func job(currentHost: String?, hosts: [String] = ["algo-1", "algo-2"]) throws -> URL {
        let job = try TemporaryFolders.make("host-launch")
        if let currentHost {
            let config = job.appendingPathComponent("input/config")
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            let names = hosts.map { "\"\($0)\"" }.joined(separator: ", ")
            try Data(#"{"current_host": "\#(currentHost)", "hosts": [\#(names)]}"#.utf8)
                .write(to: config.appendingPathComponent("resourceconfig.json"))
        }
        return job
    }

    static func launch(_ job: URL, environment: [String: String] = [:]) throws -> HostLaunch {
        try HostLaunch(jobDir: job.path, binary: "/usr/bin/imgclf", extra: ["--epochs", "2"], processesPerHost: 1,
                       mpirun: "/opt/mpi/bin/mpirun", environment: ContainerEnvironment(values: environment))
    }

    @Test func theLeaderRunsTheGivenMPIRunWithTheForwardedVariables() throws {
        let job = try Self.job(currentHost: "algo-1")
        let launch = try Self.launch(job, environment: ["IMGCLF_MPI_TIMEOUT": "5", "HOME": "/root"])
        let root = getuid() == 0 ? " --allow-run-as-root" : ""
        #expect(launch.dryRunDescription == "leader: /opt/mpi/bin/mpirun --host algo-1:1,algo-2:1 -np 2 --bind-to none\(root) "
                + "--mca osc pt2pt -x IMGCLF_MPI_TIMEOUT /usr/bin/imgclf train --job-dir \(job.path) --epochs 2")
    }

    @Test func anotherHostWaitsForTheLeader() throws {
        let launch = try Self.launch(try Self.job(currentHost: "algo-2"))
        #expect(launch.plan == .worker(leader: "algo-1"))
        #expect(launch.dryRunDescription == "worker: waiting for algo-1's mpirun")
    }

    @Test func aSingleHostTrainsAloneInThisProcess() throws {
        let job = try Self.job(currentHost: nil)
        let launch = try Self.launch(job)
        #expect(launch.dryRunDescription == "alone: /usr/bin/imgclf train --job-dir \(job.path)")
        var trained = false
        #expect(try launch.run(workerWait: 0) { trained = true } == 0)
        #expect(trained)
    }

    @Test func aBrokenResourceConfigIsRefusedByFile() throws {
        let job = try Self.job(currentHost: "algo-1")
        try Data("{}".utf8).write(to: job.appendingPathComponent("input/config/resourceconfig.json"))
        let error = #expect(throws: (any Error).self) { try Self.launch(job) }
        #expect(error.map { "\($0)" }?.contains("resourceconfig.json") == true, "\(String(describing: error))")
    }
}
