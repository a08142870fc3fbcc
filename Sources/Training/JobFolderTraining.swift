import Foundation

/// Training as the container runs it, under a job folder (SageMaker's `/opt/ml`):
/// `input/config/{hyperparameters,inputdataconfig,resourceconfig}.json`, data in
/// `input/data/<channel>/` (File mode) or FIFOs `input/data/<channel>_<epoch>` (Pipe mode),
/// model files to `model/`, the failure reason to `output/failure`, checkpoints in
/// `checkpoints/` when that folder exists.
public struct JobFolderTraining {
    public let root: URL
    /// Extra `--name value` arguments (override hyperparameters.json).
    public let extra: [String]
    public let threads: Int?
    public let seed: UInt64
    /// The workers' connection (MPI under mpirun; one process otherwise).
    public let collective: any Collective

    public init(root: URL, extra: [String] = [], threads: Int? = nil, seed: UInt64 = 0,
                collective: any Collective = SingleProcess()) {
        self.root = root
        self.extra = extra
        self.threads = threads
        self.seed = seed
        self.collective = collective
    }

    var config: URL { root.appendingPathComponent("input/config") }
    var data: URL { root.appendingPathComponent("input/data") }

    public func run() throws {
        let fm = FileManager.default
        let hpFile = config.appendingPathComponent("hyperparameters.json")
        var raw: [String: String] = [:]
        if fm.fileExists(atPath: hpFile.path) {
            raw = try Hyperparameters.stringValues(jsonObject: try Data(contentsOf: hpFile), source: hpFile.path)
        }
        var i = 0
        while i + 1 < extra.count, extra[i].hasPrefix("--") {
            raw[String(extra[i].dropFirst(2))] = extra[i + 1]
            i += 2
        }
        let hp = try Hyperparameters.parse(raw, source: hpFile.path)
        let inputFile = config.appendingPathComponent("inputdataconfig.json")
        let inputs = fm.fileExists(atPath: inputFile.path) ? try InputDataConfig.read(contentsOf: inputFile) : InputDataConfig(channels: [:])
        let resourceFile = config.appendingPathComponent("resourceconfig.json")
        let resources = fm.fileExists(atPath: resourceFile.path) ? try ResourceConfig.read(contentsOf: resourceFile) : .single

        func channel(_ name: String, required: Bool) throws -> Channel? {
            let cfg = inputs.channels[name]
            let pipe = cfg?.inputMode == .pipe
            let path = data.appendingPathComponent(name)
            if !pipe && !fm.fileExists(atPath: path.path) {
                if required { throw TrainingError.unsupported("the \(name) channel is missing: expected data in \(path.path)") }
                return nil
            }
            // A manifest's AttributeNames travel as a hyperparameter-like setting in the
            // channel config; here they are guessed from the manifest itself when needed.
            let lst = fm.fileExists(atPath: data.appendingPathComponent(name + "_lst").path)
                ? data.appendingPathComponent(name + "_lst") : nil
            let manifest = cfg?.recordWrapperType == "RecordIO" && (cfg?.contentType?.contains("x-recordio") ?? false) && pipe
            if manifest {
                throw TrainingError.unsupported("Pipe mode with an augmented manifest (RecordWrapperType RecordIO) needs AttributeNames, which this job folder does not carry; use File mode")
            }
            return Channel(name: name, path: path, lst: lst, contentType: cfg?.contentType, pipeMode: pipe)
        }
        let train = try channel("train", required: true)!
        let validation = try channel("validation", required: true)!
        let model = try channel("model", required: false)?.path
        let checkpoints = root.appendingPathComponent("checkpoints")
        var isDir: ObjCBool = false
        let checkpointDir = fm.fileExists(atPath: checkpoints.path, isDirectory: &isDir) && isDir.boolValue ? checkpoints : nil
        let job = TrainingJob(hyperparameters: hp, train: train, validation: validation, model: model,
                              outputDir: root.appendingPathComponent("model"), checkpointDir: checkpointDir,
                              loaderThreads: threads ?? ProcessInfo.processInfo.activeProcessorCount, seed: seed,
                              machines: resources.hosts.count)
        let result = try Trainer(job: job, stop: StopSignal(), collective: collective).run()
        if let s = result.stoppedBy { throw StoppedBySignal(signal: s) }
    }

    /// Writes the reason a job failed where the service shows it (first 1024 characters).
    public static func reportFailure(root: URL, _ message: String) {
        let output = root.appendingPathComponent("output")
        try? FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try? Data(message.utf8).write(to: output.appendingPathComponent("failure"), options: .atomic)
    }
}

/// The job stopped on SIGTERM/SIGINT after saving its state (not a failure).
public struct StoppedBySignal: Error, CustomStringConvertible {
    public let signal: Int32
    public var description: String { "stopped by signal \(signal) after saving the training state" }
}
