import CMPI
import Foundation
import Graph
import Training

/// Data-parallel training over MPI: one process per worker, started by `mpirun`.
///
/// - `dist_sync`: the gradients are summed over all workers in buckets of a few MB, each
///   sent with `MPI_Iallreduce` as soon as the backward pass has completed its gradients
///   (``OverlappedAllreduce``), so the exchange overlaps the rest of the pass. Every worker then
///   applies the same update to the same weights, so the weights stay bit-identical; a hash of
///   them is compared at every epoch's end (and after every update with `verifyEveryUpdate`,
///   `train --verify-sync`).
/// - `dist_async`: see ``AsyncWeightServer``: workers push their updates into rank 0's copy of
///   the weights with one-sided MPI and never wait for each other inside an epoch.
///
/// Every blocking exchange runs under a ``Watchdog``: a peer that died or hung ends the job
/// with a message after ``Configuration/timeout`` seconds (`IMGCLF_MPI_TIMEOUT`, default 300)
/// instead of a hang.
///
/// Nothing here reads the environment: ``ContainerEnvironment`` reads it (docs/environment.md)
/// and the command passes a ``Configuration`` in.
public final class MPICollective: Collective {
    /// How the exchanges are run; every value is given by the caller.
    public struct Configuration: Sendable {
        /// Seconds one exchange may wait for the other workers.
        public var timeout: Double = 300
        /// The gradient bucket size in MiB.
        public var bucketMegabytes: Double = 4
        /// Compare a hash of the weights after every update, not only at each epoch's end.
        public var verifyEveryUpdate = false
        /// Where ``finish()`` writes each worker's final weights (`rank-N.params`); nil: no dump.
        public var dumpWeightsDir: URL?
        /// dist_async gradient scale; nil: the number of workers.
        public var asyncGradientScale: Double?
        /// How the launcher started this process (its rank names the worker in early errors).
        public var launch = MPILaunch.alone
        /// Called with the watchdog's message just before it ends the process (e.g. to write
        /// the job folder's output/failure); it must not call MPI.
        public var beforeTimeoutExit: (@Sendable (String) -> Void)?

        /// The defaults; set what differs.
        public init() {}
    }

    /// The kv_store hyperparameter's two distributed values.
    public enum Mode: String, Sendable {
        case sync = "dist_sync"
        case async = "dist_async"
    }

    public let rank: Int
    public let size: Int
    public let mode: Mode
    let comm: MPI_Comm
    let watchdog: Watchdog
    let bucketFloats: Int
    let verifyEveryUpdate: Bool
    /// dist_async: MXNet scales each worker's gradient by 1/batch (not 1/(batch*workers) as
    /// under dist_sync), and the trainer divides by the global batch: multiply back by the
    /// workers (``Configuration/asyncGradientScale`` overrides, e.g. 1 to keep the dist_sync step).
    let asyncGradientScale: Float
    private let staging: UnsafeMutablePointer<Float>
    private var updates = 0
    private var server: AsyncWeightServer?
    private lazy var overlapped = OverlappedAllreduce(comm: comm, rank: rank, bucketFloats: bucketFloats)
    /// The store the trainer uses, kept for the optional weight dump at the end.
    private var store: ParameterStore?
    private var finished = false
    private let dumpWeightsDir: URL?

    /// Initialises MPI (only call this under mpirun: see ``MPILaunch``).
    public init(mode: Mode, configuration: Configuration = Configuration()) throws {
        var provided: Int32 = 0
        // Funneled: only the training thread calls MPI (the watchdog never does).
        let initCode = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        let envRank = configuration.launch.environmentRank ?? -1
        try mpiCheck(initCode, "MPI_Init_thread", rank: envRank)
        comm = imgclf_comm_world()
        try mpiCheck(MPI_Comm_set_errhandler(comm, imgclf_errors_return()), "MPI_Comm_set_errhandler", rank: envRank)
        var r: Int32 = 0, s: Int32 = 0
        try mpiCheck(MPI_Comm_rank(comm, &r), "MPI_Comm_rank", rank: envRank)
        try mpiCheck(MPI_Comm_size(comm, &s), "MPI_Comm_size", rank: envRank)
        rank = Int(r)
        size = Int(s)
        self.mode = mode
        watchdog = Watchdog(timeout: configuration.timeout, rank: rank, size: size, beforeExit: configuration.beforeTimeoutExit)
        bucketFloats = max(1024, Int(configuration.bucketMegabytes * 1_048_576) / MemoryLayout<Float>.size)
        verifyEveryUpdate = configuration.verifyEveryUpdate
        asyncGradientScale = Float(configuration.asyncGradientScale ?? Double(size))
        dumpWeightsDir = configuration.dumpWeightsDir
        staging = .allocate(capacity: bucketFloats)
    }

    deinit { staging.deallocate() }

    // MARK: - Collective

    public func broadcastParameters(_ parameters: ParameterStore) throws {
        store = parameters
        try parameters.withMutableValues { values in
            try broadcast(.arguments(values, bucketFloats: bucketFloats), what: "the initial weights from rank 0")
            try broadcast(.auxiliaries(values, bucketFloats: bucketFloats), what: "the initial moving statistics from rank 0")
        }
        if mode == .async {
            let arguments = FlatTensors.arguments(parameters, bucketFloats: bucketFloats)
            server = try watchdog.guarding("the creation of the dist_async weight window") {
                try AsyncWeightServer(arguments: arguments, comm: comm, rank: rank)
            }
        }
    }

    public func reduceGradients(_ parameters: ParameterStore) throws {
        store = parameters
        updates += 1
        if let server {
            let scale = asyncGradientScale
            for t in FlatTensors.gradients(parameters, bucketFloats: bucketFloats).tensors {
                let f = t.floats
                for i in 0..<f.count { f[i] *= scale }
            }
            try parameters.withMutableValues { values in
                let arguments = FlatTensors.arguments(values, bucketFloats: bucketFloats)
                try watchdog.guarding("the dist_async weight exchange with rank 0 (update \(updates))") {
                    try server.exchange(arguments)
                }
            }
            return
        }
        if overlapped.started {
            try watchdog.guarding("the gradient all-reduce (update \(updates))") { try overlapped.finish() }
        } else {
            try allreduce(.gradients(parameters, bucketFloats: bucketFloats), scale: nil, what: "the gradient all-reduce (update \(updates))")
        }
        if verifyEveryUpdate {
            try verifyAgreement(.arguments(parameters, bucketFloats: bucketFloats), what: "weights before update \(updates)")
        }
    }

    public func gradientsReady(_ names: [String], in parameters: ParameterStore) throws {
        guard mode == .sync else { return }
        try overlapped.add(names.compactMap { parameters.gradient($0) })
    }

    public func synchronizeAuxiliary(_ parameters: ParameterStore) throws {
        store = parameters
        try parameters.withMutableValues { values in
            let arguments = FlatTensors.arguments(values, bucketFloats: bucketFloats)
            if let server {
                // Every worker takes the server's weights, so validation and checkpoints see one model.
                try watchdog.guarding("the other workers at the end of the epoch (dist_async weight gather)") {
                    try server.gatherEpoch(arguments)
                }
            }
            try allreduce(.auxiliaries(values, bucketFloats: bucketFloats), scale: 1 / Float(size),
                          what: "the moving-statistics average at the end of the epoch")
            try verifyAgreement(arguments, what: "weights at the end of the epoch")
        }
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        var buffer = values
        let count = Int32(buffer.count)
        try watchdog.guarding("the metric sum at the end of the epoch") {
            try mpiCheck(MPI_Allreduce(imgclf_in_place(), &buffer, count, imgclf_double(), imgclf_op_sum(), comm),
                         "MPI_Allreduce (metrics)", rank: rank)
        }
        return buffer
    }

    public func any(_ flag: Bool) throws -> Bool {
        if let server {
            // dist_async: a flag at rank 0 that anyone can raise; nobody waits for the others.
            return try watchdog.guarding("the dist_async stop flag at rank 0") { try server.raiseStop(flag) }
        }
        var value: Int32 = flag ? 1 : 0
        try watchdog.guarding("the stop-flag exchange after update \(updates)") {
            try mpiCheck(MPI_Allreduce(imgclf_in_place(), &value, 1, imgclf_int(), imgclf_op_max(), comm),
                         "MPI_Allreduce (stop flag)", rank: rank)
        }
        return value != 0
    }

    public func shareFromRoot(_ bytes: [UInt8]?) throws -> [UInt8]? {
        try watchdog.guarding("rank 0's saved training state") {
            // The length first (UInt64.max: rank 0 has none), then the bytes in chunks MPI's Int32 counts can hold.
            var length: UInt64 = rank == 0 ? bytes.map { UInt64($0.count) } ?? .max : 0
            try mpiCheck(MPI_Bcast(&length, 1, imgclf_uint64(), 0, comm), "MPI_Bcast (state length)", rank: rank)
            guard length != .max else { return nil }
            guard length <= UInt64(Int.max) else { throw DistributedError.unsupported("rank \(rank): rank 0 announced a training state of \(length) bytes") }
            var buffer = rank == 0 ? bytes ?? [] : [UInt8](repeating: 0, count: Int(length))
            let chunk = 1 << 30
            try buffer.withUnsafeMutableBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(chunk, raw.count - offset)
                    try mpiCheck(MPI_Bcast(raw.baseAddress! + offset, Int32(n), imgclf_byte(), 0, comm), "MPI_Bcast (state)", rank: rank)
                    offset += n
                }
            }
            return buffer
        }
    }

    /// What this worker is doing as far as MPI goes (see ``Watchdog/activity``), readable
    /// from any thread (a signal handler's).
    public var activityProbe: @Sendable () -> String {
        let watchdog = self.watchdog
        return { watchdog.activity }
    }

    // MARK: - End

    /// Ends MPI cleanly after the trainer returned (or stopped on a signal): writes the
    /// weight dump if ``Configuration/dumpWeightsDir`` is set, waits for every worker, finalises.
    /// Not called after an error: the non-zero exit makes mpirun end the other workers.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        if let url = dumpWeightsDir, let store {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try ParamsFile.write(store.export(), to: url.appendingPathComponent("rank-\(rank).params"))
        }
        try watchdog.guarding("the other workers to finish") {
            try server?.close()
            try mpiCheck(MPI_Barrier(comm), "MPI_Barrier (finish)", rank: rank)
        }
        MPI_Finalize()
    }

    // MARK: - Exchanges

    /// Sums `flat` over the workers in place, bucket by bucket, optionally scaling the result.
    func allreduce(_ flat: FlatTensors, scale: Float?, what: String) throws {
        try watchdog.guarding(what) {
            for (i, range) in flat.buckets.enumerated() {
                flat.pack(range, into: staging)
                try mpiCheck(MPI_Allreduce(imgclf_in_place(), staging, Int32(range.count), imgclf_float(), imgclf_op_sum(), comm),
                             "MPI_Allreduce (\(what), bucket \(i + 1) of \(flat.buckets.count))", rank: rank)
                if let scale { for j in 0..<range.count { staging[j] *= scale } }
                flat.unpack(range, from: staging)
            }
        }
    }

    /// Copies rank 0's values of `flat` to every worker.
    func broadcast(_ flat: FlatTensors, what: String) throws {
        try watchdog.guarding(what) {
            for range in flat.buckets {
                if rank == 0 { flat.pack(range, into: staging) }
                try mpiCheck(MPI_Bcast(staging, Int32(range.count), imgclf_float(), 0, comm), "MPI_Bcast (\(what))", rank: rank)
                if rank != 0 { flat.unpack(range, from: staging) }
            }
        }
    }

    /// Throws unless every worker holds bit-identical values (compares a hash, not the values).
    func verifyAgreement(_ flat: FlatTensors, what: String) throws {
        let hash = flat.bitHash()
        // max(hash) and max(~hash) = ~min(hash) in one exchange.
        var pair: [UInt64] = [hash, ~hash]
        try watchdog.guarding("the check that all workers hold the same \(what)") {
            try mpiCheck(MPI_Allreduce(imgclf_in_place(), &pair, 2, imgclf_uint64(), imgclf_op_max(), comm),
                         "MPI_Allreduce (weight check)", rank: rank)
        }
        if pair[0] != ~pair[1] {
            throw DistributedError.weightsDiverged(rank: rank, detail: "\(what): hash \(String(hash, radix: 16)) here")
        }
    }
}
