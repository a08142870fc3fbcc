import CMPI
import Foundation

/// dist_async: rank 0 holds the authoritative weights in an MPI window; workers never wait
/// for each other inside an epoch.
///
/// Each worker keeps the weights it last received (`reference`). At each exchange it sends
/// what its own optimizer changed since then (`local - reference`) with `MPI_Get_accumulate`
/// (an atomic, element-wise fetch-and-add on rank 0's copy, under a shared passive-target
/// lock), and continues from `server + its change`. The gradient computed before an
/// exchange is applied afterwards to the fresher weights: a staleness of one step plus
/// whatever the other workers pushed meanwhile, as with MXNet's parameter server.
///
/// At the end of every epoch the workers meet: all pending changes are pushed, everyone
/// reads the same server weights, so validation, the saved checkpoints and the final model
/// come from one set of weights held bit-identically by all.
final class AsyncWeightServer {
    let comm: MPI_Comm
    let rank: Int
    let count: Int
    private var window: MPI_Win?
    private var flagWindow: MPI_Win?
    private let reference: UnsafeMutableBufferPointer<Float>
    private let delta: UnsafeMutableBufferPointer<Float>
    private let fetched: UnsafeMutableBufferPointer<Float>
    /// Largest single RMA transfer (MPI counts are 32-bit).
    private let chunk = 1 << 24

    init(arguments: FlatTensors, comm: MPI_Comm, rank: Int) throws {
        self.comm = comm
        self.rank = rank
        count = arguments.count
        reference = .allocate(capacity: count)
        delta = .allocate(capacity: count)
        fetched = .allocate(capacity: count)
        arguments.pack(0..<count, into: reference.baseAddress!)

        var base: UnsafeMutableRawPointer?
        var win = imgclf_win_null()
        let bytes = rank == 0 ? count * MemoryLayout<Float>.size : 0
        try mpiCheck(MPI_Win_allocate(MPI_Aint(bytes), Int32(MemoryLayout<Float>.size), imgclf_info_null(), comm, &base, &win),
                     "MPI_Win_allocate (dist_async weights, \(bytes) bytes)", rank: rank)
        window = win
        try mpiCheck(MPI_Win_set_errhandler(window, imgclf_errors_return()), "MPI_Win_set_errhandler", rank: rank)
        var flagBase: UnsafeMutableRawPointer?
        var flagWin = imgclf_win_null()
        try mpiCheck(MPI_Win_allocate(MPI_Aint(rank == 0 ? 4 : 0), 4, imgclf_info_null(), comm, &flagBase, &flagWin),
                     "MPI_Win_allocate (dist_async stop flag)", rank: rank)
        flagWindow = flagWin
        if rank == 0 {
            // The weights were just broadcast, so rank 0's copy is everyone's starting point.
            base!.bindMemory(to: Float.self, capacity: count).update(from: reference.baseAddress!, count: count)
            flagBase!.bindMemory(to: Int32.self, capacity: 1).pointee = 0
        }
        try mpiCheck(MPI_Barrier(comm), "MPI_Barrier (dist_async start)", rank: rank)
    }

    deinit {
        reference.deallocate()
        delta.deallocate()
        fetched.deallocate()
    }

    /// Pushes this worker's change since the last exchange and takes the server's weights plus it.
    func exchange(_ arguments: FlatTensors) throws {
        arguments.pack(0..<count, into: delta.baseAddress!)
        for i in 0..<count { delta[i] -= reference[i] }
        try mpiCheck(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window), "MPI_Win_lock (dist_async)", rank: rank)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            try mpiCheck(MPI_Get_accumulate(delta.baseAddress! + start, Int32(n), imgclf_float(),
                                            fetched.baseAddress! + start, Int32(n), imgclf_float(),
                                            0, MPI_Aint(start), Int32(n), imgclf_float(), imgclf_op_sum(), window),
                         "MPI_Get_accumulate (dist_async push)", rank: rank)
            start += n
        }
        try mpiCheck(MPI_Win_unlock(0, window), "MPI_Win_unlock (dist_async)", rank: rank)
        // The server now holds fetched + delta; so does this worker (same float additions).
        for i in 0..<count { reference[i] = fetched[i] + delta[i] }
        arguments.unpack(0..<count, from: reference.baseAddress!)
    }

    /// End of an epoch: push what is pending, wait for all, and take the server's weights.
    func gatherEpoch(_ arguments: FlatTensors) throws {
        try exchange(arguments)
        try mpiCheck(MPI_Barrier(comm), "MPI_Barrier (dist_async epoch end)", rank: rank)
        try mpiCheck(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window), "MPI_Win_lock (dist_async)", rank: rank)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            try mpiCheck(MPI_Get(fetched.baseAddress! + start, Int32(n), imgclf_float(), 0, MPI_Aint(start), Int32(n), imgclf_float(), window),
                         "MPI_Get (dist_async weights)", rank: rank)
            start += n
        }
        try mpiCheck(MPI_Win_unlock(0, window), "MPI_Win_unlock (dist_async)", rank: rank)
        // Nobody pushes the next epoch's changes before everyone has read these weights.
        try mpiCheck(MPI_Barrier(comm), "MPI_Barrier (dist_async epoch end)", rank: rank)
        reference.baseAddress!.update(from: fetched.baseAddress!, count: count)
        arguments.unpack(0..<count, from: reference.baseAddress!)
    }

    /// Raises the shared stop flag if `flag`, and returns whether anyone raised it.
    func raiseStop(_ flag: Bool) throws -> Bool {
        var mine: Int32 = flag ? 1 : 0
        var seen: Int32 = 0
        try mpiCheck(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, flagWindow), "MPI_Win_lock (dist_async stop flag)", rank: rank)
        try mpiCheck(MPI_Fetch_and_op(&mine, &seen, imgclf_int(), 0, 0, imgclf_op_max(), flagWindow),
                     "MPI_Fetch_and_op (dist_async stop flag)", rank: rank)
        try mpiCheck(MPI_Win_unlock(0, flagWindow), "MPI_Win_unlock (dist_async stop flag)", rank: rank)
        return flag || seen != 0
    }

    /// Frees the windows (collective: every worker calls it at the end).
    func close() throws {
        try mpiCheck(MPI_Win_free(&window), "MPI_Win_free", rank: rank)
        try mpiCheck(MPI_Win_free(&flagWindow), "MPI_Win_free", rank: rank)
    }
}
