import Foundation

/// How this process was started: by `mpirun` (Open MPI or a PMIx launcher sets these
/// variables in every rank's environment) or on its own. ``ContainerEnvironment`` reads the
/// environment and passes it here (see docs/environment.md); nothing here reads it.
public struct MPILaunch: Sendable, Equatable {
    /// The launcher variables this type looks at, in the order the rank is taken from.
    public static let variables = ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"]

    /// True when `mpirun`/`mpiexec` started this process; only then is MPI initialised,
    /// so a plain `imgclf train` never touches MPI.
    public let isUnderMPIRun: Bool
    /// The rank mpirun gave this process (before MPI_Init), for messages.
    public let environmentRank: Int?

    public init(isUnderMPIRun: Bool, environmentRank: Int? = nil) {
        self.isUnderMPIRun = isUnderMPIRun
        self.environmentRank = environmentRank
    }

    /// What the launcher variables in `environment` say.
    public init(environment env: [String: String]) {
        isUnderMPIRun = env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
        environmentRank = (env["OMPI_COMM_WORLD_RANK"] ?? env["PMIX_RANK"] ?? env["PMI_RANK"]).flatMap(Int.init)
    }

    /// A process that no launcher started.
    public static let alone = MPILaunch(isUnderMPIRun: false)
}
