import Foundation

/// Every environment variable imgclf reads, read in this one place: the commands ask here
/// (``ContainerEnvironment/jobDir`` and the like read this process's environment) and pass
/// the values down as options; no other code reads the environment. A value is read from
/// ``values``, which tests give. docs/environment.md lists them for users; keep the two in step.
///
/// | variable | meaning here |
/// |---|---|
/// | `IMGCLF_JOB_DIR` | the job folder when `train`/`serve` get none (default `/opt/ml`, as in the container) |
/// | `SAGEMAKER_BIND_TO_PORT` | the port `serve` listens on (default 8080) |
/// | `SAGEMAKER_SAFE_PORT_RANGE` | ports the container may use besides that one (`LOW-HIGH`); `serve` opens no other port, so it is only checked |
/// | `SAGEMAKER_MODEL_SERVER_TIMEOUT` | seconds a request may wait for its batch before a 503 (default 60) |
/// | `SAGEMAKER_MODEL_SERVER_WORKERS` | the threads that decode and resize a batch's images in parallel (default: the cores); the forward pass itself is one batching worker on every core |
/// | `SAGEMAKER_MAX_PAYLOAD_IN_MB` | batch transform's MaxPayloadInMB: the default of `--max-payload-mb` (6) |
/// | `SAGEMAKER_BATCH` | `true` in a batch transform job: `/invocations` answers JSON Lines (`{"prediction": [...]}`) when `Accept` is missing or a wildcard |
/// | `IMGCLF_PRETRAINED_DIR` | `train`: the model-zoo folder for `use_pretrained_model=1` when `--pretrained-model-dir` is not given |
/// | `IMGCLF_MPI_TIMEOUT` | `train` under mpirun: seconds one exchange may wait for the other workers (default 300) |
/// | `IMGCLF_BUCKET_MB` | `train` under mpirun: the dist_sync gradient bucket size in MiB (default 4) |
/// | `IMGCLF_ASYNC_SCALE` | `train` under mpirun, dist_async: the gradient scale (default: the number of workers) |
/// | `OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK`, `PMIX_RANK`, `PMI_RANK` | set by mpirun: whether (and as which rank) this process was started by it |
/// | `IMGCLF_*` (all) | `launch` forwards every one to the workers mpirun starts (`-x NAME`) |
/// | (all) | `launch` starts mpirun with this environment |
public struct ContainerEnvironment: Sendable {
    /// The variables, by name.
    public let values: [String: String]

    /// The variables in `values` (by default this process's).
    public init(values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public var jobDir: String { values["IMGCLF_JOB_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/opt/ml" }

    /// An integer variable within `range`, or nil when unset; anything else is an error naming it.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw EnvironmentError(description: "environment variable \(name) is '\(text)'; expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func port() throws -> Int? { try integer("SAGEMAKER_BIND_TO_PORT", in: 1...65_535) }

    public func modelServerTimeout() throws -> Int? { try integer("SAGEMAKER_MODEL_SERVER_TIMEOUT", in: 1...86_400) }

    public func maxPayloadMB() throws -> Int? { try integer("SAGEMAKER_MAX_PAYLOAD_IN_MB", in: 1...1024) }

    /// Workers handle requests side by side: here, the threads that decode and resize the
    /// images of a batch. The forward pass stays one batching worker on every core (oneDNN's
    /// primitives share one stream), which concurrent requests share.
    public func workers() throws -> Int? { try integer("SAGEMAKER_MODEL_SERVER_WORKERS", in: 1...256) }

    /// Whether the service started this container for a batch transform job. The service sets
    /// `true`; a value that is no boolean is an error rather than silently real-time.
    public func batchTransform() throws -> Bool {
        guard let text = values["SAGEMAKER_BATCH"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw EnvironmentError(description: "environment variable SAGEMAKER_BATCH is '\(text)'; expected true or false")
        }
    }

    /// `LOW-HIGH`, checked so a typo is reported rather than ignored.
    public func safePortRange() throws -> ClosedRange<Int>? {
        guard let text = values["SAGEMAKER_SAFE_PORT_RANGE"], !text.isEmpty else { return nil }
        let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], 1 <= low, low <= high, high <= 65_535 else {
            throw EnvironmentError(description: "environment variable SAGEMAKER_SAFE_PORT_RANGE is '\(text)'; expected LOW-HIGH, e.g. 29000-29999")
        }
        return low...high
    }

    /// IMGCLF_PRETRAINED_DIR: the model-zoo folder when `--pretrained-model-dir` is not given.
    public var pretrainedModelDir: URL? {
        values["IMGCLF_PRETRAINED_DIR"].map { URL(fileURLWithPath: $0) }
    }

    /// How mpirun (or nothing) started this process.
    public var mpiLaunch: MPILaunch { MPILaunch(environment: values) }

    /// The variables `launch` forwards to every worker.
    public var forwardedToWorkers: [String] { values.keys.filter { $0.hasPrefix("IMGCLF_") }.sorted() }

    /// The MPI settings of the environment (as before, a value that is not a number is ignored),
    /// with the test hooks `train` takes as options.
    public func mpiConfiguration(verifyEveryUpdate: Bool, dumpWeightsDir: URL?) -> MPICollective.Configuration {
        var configuration = MPICollective.Configuration()
        if let seconds = values["IMGCLF_MPI_TIMEOUT"].flatMap(Double.init) { configuration.timeout = seconds }
        if let megabytes = values["IMGCLF_BUCKET_MB"].flatMap(Double.init) { configuration.bucketMegabytes = megabytes }
        configuration.asyncGradientScale = values["IMGCLF_ASYNC_SCALE"].flatMap(Double.init)
        configuration.verifyEveryUpdate = verifyEveryUpdate
        configuration.dumpWeightsDir = dumpWeightsDir
        configuration.launch = mpiLaunch
        return configuration
    }
}
