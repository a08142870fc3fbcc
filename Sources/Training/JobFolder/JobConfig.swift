import Support
import Foundation
import Models

/// How a channel's data arrives.
public enum TrainingInputMode: String, Sendable, Codable {
    /// Files in `/opt/ml/input/data/<channel>/`. SageMaker's `FastFile` reads the same way.
    case file = "File"
    /// A FIFO per epoch, `/opt/ml/input/data/<channel>_<epoch>`.
    case pipe = "Pipe"
}

/// One channel's entry in `inputdataconfig.json`.
public struct ChannelConfig: Sendable, Equatable, Codable {
    /// e.g. `application/x-recordio`, `application/x-image`, or with parameters such as
    /// `application/x-recordio; label-format=class-id`; nil when not given.
    public var contentType: String?
    public var inputMode: TrainingInputMode
    /// `FullyReplicated` or `ShardedByS3Key`.
    public var s3DistributionType: String
    /// `None` or `RecordIO` (augmented manifests in pipe mode).
    public var recordWrapperType: String

    public init(contentType: String? = nil, inputMode: TrainingInputMode = .file,
                s3DistributionType: String = "FullyReplicated", recordWrapperType: String = "None") {
        self.contentType = contentType
        self.inputMode = inputMode
        self.s3DistributionType = s3DistributionType
        self.recordWrapperType = recordWrapperType
    }
}

/// `inputdataconfig.json`: every channel the job was given, by name.
public struct InputDataConfig: Sendable, Equatable {
    public var channels: [String: ChannelConfig]

    public init(channels: [String: ChannelConfig]) { self.channels = channels }

    public static func read(contentsOf url: URL) throws(JobConfigError) -> InputDataConfig {
        try parse(JobConfigFile.load(url), source: url.path)
    }

    public static func parse(_ data: Data, source: String) throws(JobConfigError) -> InputDataConfig {
        let object = try JobConfigFile.object(data, source: source)
        var channels: [String: ChannelConfig] = [:]
        for (name, value) in object {
            guard let entry = value as? [String: Any] else {
                throw .wrongType(file: source, key: name, expected: "an object with ContentType, TrainingInputMode, S3DistributionType, RecordWrapperType")
            }
            func string(_ key: String) throws(JobConfigError) -> String? {
                guard let v = entry[key] else { return nil }
                guard let s = v as? String else { throw .wrongType(file: source, key: "\(name).\(key)", expected: "a string") }
                return s
            }
            var channel = ChannelConfig(contentType: try string("ContentType"))
            if let mode = try string("TrainingInputMode") {
                switch mode {
                case "File", "FastFile": channel.inputMode = .file
                case "Pipe": channel.inputMode = .pipe
                default: throw .invalidValue(file: source, key: "\(name).TrainingInputMode", value: mode, valid: "File, Pipe (FastFile reads like File)")
                }
            }
            if let s3 = try string("S3DistributionType") {
                guard ["FullyReplicated", "ShardedByS3Key"].contains(s3) else {
                    throw .invalidValue(file: source, key: "\(name).S3DistributionType", value: s3, valid: "FullyReplicated, ShardedByS3Key")
                }
                channel.s3DistributionType = s3
            }
            if let wrapper = try string("RecordWrapperType") {
                guard ["None", "RecordIO"].contains(wrapper) else {
                    throw .invalidValue(file: source, key: "\(name).RecordWrapperType", value: wrapper, valid: "None, RecordIO")
                }
                channel.recordWrapperType = wrapper
            }
            channels[name] = channel
        }
        return InputDataConfig(channels: channels)
    }
}

/// `resourceconfig.json`: this machine's name and every machine of the job.
public struct ResourceConfig: Sendable, Equatable {
    public var currentHost: String
    /// Every host, in SageMaker's order; the first is the leader.
    public var hosts: [String]

    public init(currentHost: String, hosts: [String]) {
        self.currentHost = currentHost
        self.hosts = hosts
    }

    /// One machine, `algo-1`: what a job without a resource config runs as.
    public static let single = ResourceConfig(currentHost: "algo-1", hosts: ["algo-1"])

    /// This host's position in ``hosts`` (its worker rank).
    public var rank: Int { hosts.firstIndex(of: currentHost) ?? 0 }

    public static func read(contentsOf url: URL) throws(JobConfigError) -> ResourceConfig {
        try parse(JobConfigFile.load(url), source: url.path)
    }

    public static func parse(_ data: Data, source: String) throws(JobConfigError) -> ResourceConfig {
        let object = try JobConfigFile.object(data, source: source)
        guard let current = object["current_host"] else {
            throw .missingKey(file: source, key: "current_host", expected: "this machine's host name, e.g. \"algo-1\"")
        }
        guard let currentHost = current as? String, !currentHost.isEmpty else {
            throw .wrongType(file: source, key: "current_host", expected: "a non-empty string")
        }
        guard let list = object["hosts"] else {
            throw .missingKey(file: source, key: "hosts", expected: "every host name, e.g. [\"algo-1\", \"algo-2\"]")
        }
        guard let hosts = list as? [String], !hosts.isEmpty else {
            throw .wrongType(file: source, key: "hosts", expected: "a non-empty array of strings")
        }
        // They become mpirun's `--host a:1,b:1` and ssh targets: a name with a comma, colon,
        // space or leading dash would be read as something else.
        if let bad = hosts.first(where: { !isHostName($0) }) {
            throw .invalidValue(file: source, key: "hosts", value: bad, valid: "host names of letters, digits, '.', '-' and '_' (not starting with '-'), at most 253 characters")
        }
        guard Set(hosts).count == hosts.count else {
            throw .invalidValue(file: source, key: "hosts", value: hosts.joined(separator: ", "), valid: "distinct host names")
        }
        guard hosts.contains(currentHost) else {
            throw .invalidValue(file: source, key: "current_host", value: currentHost, valid: "one of hosts (\(hosts.joined(separator: ", ")))")
        }
        return ResourceConfig(currentHost: currentHost, hosts: hosts)
    }

    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253, name.first != "-" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-_".unicodeScalars.contains($0)) }
    }
}

/// `hyperparameters.json`: SageMaker's names with string values.
public enum HyperparametersFile {
    /// Reads and validates the file; every problem is reported at once, naming the file.
    public static func read(contentsOf url: URL) throws(JobConfigError) -> Hyperparameters {
        let data = try JobConfigFile.load(url)
        do {
            return try Hyperparameters.parse(jsonObject: data, source: url.path)
        } catch {
            throw .hyperparameters(error)
        }
    }

    /// Writes the values SageMaker-style (every value a string), keys sorted.
    public static func write(_ hp: Hyperparameters, to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: hp.asStrings, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(data, to: url)
    }
}

/// Reading helpers shared by the config files.
enum JobConfigFile {
    static func load(_ url: URL) throws(JobConfigError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: SystemErrorText.of(error))
        }
    }

    static func object(_ data: Data, source: String) throws(JobConfigError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .malformedJSON(file: source, detail: "\(error)")
        }
        guard let object = parsed as? [String: Any] else {
            throw .malformedJSON(file: source, detail: "the top level must be a JSON object")
        }
        return object
    }
}
