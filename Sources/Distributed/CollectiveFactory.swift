import Foundation
import Training

/// Chooses how the workers of a training job are connected.
public enum Workers {
    /// MPI when this process was started by mpirun (with `kv_store` dist_async, or dist_sync
    /// otherwise); a single process, without touching MPI, when it was not.
    /// - Parameters:
    ///   - configuration: how MPI runs, with how this process was launched (`launch`).
    ///   - note: receives a line for the user (e.g. kv_store set but no mpirun).
    public static func collective(kvStore: KVStore?, configuration: MPICollective.Configuration,
                                  note: (String) -> Void = { _ in }) throws -> any Collective {
        guard configuration.launch.isUnderMPIRun else {
            if let kvStore {
                note("kv_store=\(kvStore.rawValue) but this process was not started by mpirun: training alone as one worker (see docs/distributed.md)")
            }
            return SingleProcess()
        }
        let mode = kvStore.flatMap { MPICollective.Mode(rawValue: $0.rawValue) } ?? .sync
        let collective = try MPICollective(mode: mode, configuration: configuration)
        if kvStore == nil && collective.rank == 0 && collective.size > 1 {
            note("started by mpirun with \(collective.size) workers and no kv_store: training with dist_sync")
        }
        return collective
    }

    /// Ends MPI after a finished or stopped run (nothing to do for a single process).
    public static func finish(_ collective: any Collective) throws {
        try (collective as? MPICollective)?.finish()
    }
}
