import CMPI
import Compute
import Graph

/// dist_sync's gradient exchange, started during the backward pass: gradients are packed
/// into buckets in the order the pass completes them (the same order on every worker, since
/// every worker runs the same graph), and each full bucket goes out as a non-blocking
/// `MPI_Iallreduce` while the remaining layers are still being differentiated. `finish`
/// sends the last partial bucket, waits for all of them and unpacks the sums.
final class OverlappedAllreduce {
    private struct Bucket {
        var tensors: [Tensor] = []
        var floats = 0
        var buffer: UnsafeMutablePointer<Float>?
        var capacity = 0
        var request: MPI_Request?
    }

    private let comm: MPI_Comm
    private let rank: Int
    private let bucketFloats: Int
    private var buckets: [Bucket] = []
    private var open = Bucket()
    /// Buffers kept between iterations (the buckets come out the same every time).
    private var pool: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
    private(set) var started = false

    init(comm: MPI_Comm, rank: Int, bucketFloats: Int) {
        self.comm = comm
        self.rank = rank
        self.bucketFloats = bucketFloats
    }

    deinit { for b in pool { b.pointer.deallocate() } }

    /// Adds complete gradients; sends the bucket once it holds `bucketFloats` or more.
    func add(_ gradients: [Tensor]) throws {
        started = true
        for g in gradients {
            open.tensors.append(g)
            open.floats += g.elementCount
            if open.floats >= bucketFloats { try send() }
        }
        try progress()
    }

    /// Sends what is left, waits for every bucket, and writes the sums back.
    func finish() throws {
        if open.floats > 0 { try send() }
        var requests = buckets.map { $0.request }
        try mpiCheck(MPI_Waitall(Int32(requests.count), &requests, nil), "MPI_Waitall (gradient buckets)", rank: rank)
        for b in buckets {
            var offset = 0
            for t in b.tensors {
                t.floats.baseAddress!.update(from: b.buffer! + offset, count: t.elementCount)
                offset += t.elementCount
            }
        }
        // Return the buffers for the next iteration, in the same order.
        pool = buckets.map { ($0.buffer!, $0.capacity) }
        buckets = []
        started = false
    }

    private func send() throws {
        var bucket = open
        open = Bucket()
        let index = buckets.count
        if index < pool.count, pool[index].capacity >= bucket.floats {
            (bucket.buffer, bucket.capacity) = pool[index]
        } else {
            if index < pool.count { pool[index].pointer.deallocate() }
            bucket.buffer = .allocate(capacity: bucket.floats)
            bucket.capacity = bucket.floats
            if index < pool.count { pool[index] = (bucket.buffer!, bucket.capacity) } else { pool.append((bucket.buffer!, bucket.capacity)) }
        }
        var offset = 0
        for t in bucket.tensors {
            (bucket.buffer! + offset).update(from: t.floats.baseAddress!, count: t.elementCount)
            offset += t.elementCount
        }
        var request: MPI_Request?
        try mpiCheck(MPI_Iallreduce(imgclf_in_place(), bucket.buffer, Int32(bucket.floats), imgclf_float(), imgclf_op_sum(),
                                    comm, &request), "MPI_Iallreduce (gradient bucket \(index + 1))", rank: rank)
        bucket.request = request
        buckets.append(bucket)
    }

    /// Lets MPI move the outstanding buckets along (Open MPI progresses inside MPI calls).
    private func progress() throws {
        guard !buckets.isEmpty else { return }
        var requests = buckets.map { $0.request }
        var done: Int32 = 0
        try mpiCheck(MPI_Testall(Int32(requests.count), &requests, &done, nil), "MPI_Testall (gradient buckets)", rank: rank)
        for i in buckets.indices { buckets[i].request = requests[i] }
    }
}
