import CMPI

/// A failure of the multi-worker machinery, worded for the person running the job.
public enum DistributedError: Error, CustomStringConvertible {
    /// An MPI call returned an error (MPI errors are set to return, not to abort silently).
    case mpi(call: String, rank: Int, code: Int32, message: String)
    /// The workers do not hold the same weights (a bug, or a worker resumed from another checkpoint).
    case weightsDiverged(rank: Int, detail: String)
    case unsupported(String)

    public var description: String {
        switch self {
        case let .mpi(call, rank, code, message):
            return "MPI error on rank \(rank) in \(call) (code \(code)): \(message); another worker probably died, see the messages above from mpirun"
        case let .weightsDiverged(rank, detail):
            return "rank \(rank): the workers' weights differ (\(detail)); every worker starts from rank 0's weights and state, so this is a bug to report"
        case let .unsupported(message):
            return message
        }
    }
}

/// Turns an MPI return code into a thrown error naming the call.
@inline(__always)
func mpiCheck(_ code: Int32, _ call: @autoclosure () -> String, rank: Int) throws {
    guard code != MPI_SUCCESS else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    var length: Int32 = 0
    MPI_Error_string(code, &buffer, &length)
    throw DistributedError.mpi(call: call(), rank: rank, code: code, message: String(cString: buffer))
}
