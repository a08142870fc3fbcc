import Foundation
import Training

/// What `imgclf launch` does on this host of a job folder's `resourceconfig.json`:
/// one host trains alone without MPI; with several, the first host (SageMaker's leader)
/// starts `mpirun` over all of them and every other host only hosts its worker.
public enum LaunchPlan: Equatable {
    /// A single host: `imgclf train --job-dir` in this process, no MPI.
    case alone
    /// The leader: run this command line (mpirun with every host).
    case leader(command: [String])
    /// Another host: the leader's mpirun starts this host's worker (over ssh).
    case worker(leader: String)

    /// - Parameters:
    ///   - binary: the imgclf executable (the same path on every host).
    ///   - processesPerHost: workers per host (1: each uses every core of its host).
    ///   - forward: environment variables to pass to every worker (`-x NAME`).
    ///   - environment: the launcher's, for Open MPI settings the user made there.
    public static func make(resources: ResourceConfig, binary: String, jobDir: String, extra: [String],
                            processesPerHost: Int = 1, runningAsRoot: Bool = false,
                            forward: [String] = [], environment: [String: String] = [:]) -> LaunchPlan {
        guard resources.hosts.count > 1 else { return .alone }
        let leader = resources.hosts[0]
        guard resources.currentHost == leader else { return .worker(leader: leader) }
        let slots = max(1, processesPerHost)
        var command = ["mpirun", "--host", resources.hosts.map { "\($0):\(slots)" }.joined(separator: ","),
                       "-np", String(resources.hosts.count * slots),
                       // The workers run their own thread pools: no pinning to one core.
                       "--bind-to", "none"]
        if runningAsRoot { command.append("--allow-run-as-root") }
        // dist_async's weight window across hosts: Open MPI 4.1's default one-sided component
        // fails MPI_Win_allocate over TCP (MPI_ERR_WIN); pt2pt carries it over any network.
        if environment["OMPI_MCA_osc"] == nil { command += ["--mca", "osc", "pt2pt"] }
        for name in forward { command += ["-x", name] }
        command += [binary, "train", "--job-dir", jobDir] + extra
        return .leader(command: command)
    }
}
