import Foundation

/// How this process was started: by `mpirun` (Open MPI or a PMIx launcher sets these
/// variables in every rank's environment) or on its own.
public enum MPILaunch {
    /// True when `mpirun`/`mpiexec` started this process; only then is MPI initialised,
    /// so a plain `imgclf train` never touches MPI.
    public static var isUnderMPIRun: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
    }

    /// The rank mpirun gave this process, read from the environment (before MPI_Init), for messages.
    public static var environmentRank: Int? {
        let env = ProcessInfo.processInfo.environment
        return (env["OMPI_COMM_WORLD_RANK"] ?? env["PMIX_RANK"] ?? env["PMI_RANK"]).flatMap(Int.init)
    }
}
