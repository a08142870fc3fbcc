import Support
import Foundation
import Graph

/// A trained model as SageMaker's algorithm stores it: `image-classification-symbol.json`,
/// `image-classification-NNNN.params` and `model-shapes.json`, which MXNet loads with
/// `mx.model.load_checkpoint`, plus files of ours beside them that MXNet ignores:
/// `classes.json` (class names by index), `hyperparameters.json`, `training-history.json`,
/// `preprocessing-contract.json` (``PreprocessingContract``) and, in a quantized artifact,
/// `quantization.json` (``QuantizationTable``).
///
/// Loads from a `model.tar.gz` or a folder; also from MXNet's own checkpoints under any
/// prefix (`resnet-50-symbol.json` + `resnet-50-0000.params`).
@dynamicMemberLookup
public struct ModelArtifact: Sendable {
    public static let prefix = "image-classification"
    public static let classesFile = "classes.json"
    public static let hyperparametersFile = "hyperparameters.json"
    public static let historyFile = "training-history.json"
    public static let contractFile = "preprocessing-contract.json"

    /// The symbol, shapes, class names, hyperparameters, history, contract and quantization
    /// table: read and written as `artifact.symbol`, `artifact.classNames`, ... (dynamic members).
    public var sideFiles: ArtifactSideFiles
    public var parameters: [(name: String, array: NDArray)]
    /// The number in the params file name (MXNet's epoch + 1 for our checkpoints).
    public var epoch: Int
    /// Where it was loaded from, for messages.
    public var source: String

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<ArtifactSideFiles, Value>) -> Value {
        get { sideFiles[keyPath: keyPath] }
        set { sideFiles[keyPath: keyPath] = newValue }
    }

    /// The artifact of `parameters` as checkpoint `epoch`, with `sideFiles` beside them.
    public init(parameters: [(name: String, array: NDArray)], epoch: Int, sideFiles: ArtifactSideFiles, source: String = "") {
        (self.parameters, self.epoch, self.sideFiles, self.source) = (parameters, epoch, sideFiles, source)
    }

    public init(symbol: Symbol, parameters: [(name: String, array: NDArray)], epoch: Int, imageShape: [Int]?,
                classNames: [String]? = nil, hyperparameters: [String: String]? = nil, history: [EpochRecord]? = nil,
                preprocessing: PreprocessingContract? = nil, source: String = "") {
        self.init(parameters: parameters, epoch: epoch,
                  sideFiles: ArtifactSideFiles(symbol: symbol, imageShape: imageShape, classNames: classNames, hyperparameters: hyperparameters,
                                               history: history, preprocessing: preprocessing),
                  source: source)
    }

    /// The preprocessing the endpoint follows: the recorded contract, else the one derived
    /// from the files the service's and MXNet's artifacts have; `imageShape` (an option)
    /// overrides the shape.
    /// Nil when no image shape is known.
    public func preprocessingContract(imageShape override: [Int]? = nil) -> PreprocessingContract? {
        if var recorded = self.preprocessing {
            if let override { recorded.imageShape = override }
            return recorded
        }
        let sigmoidHead = self.symbol.hasMultiLabelHead
        return PreprocessingContract(hyperparameters: self.hyperparameters ?? [:], imageShape: override ?? self.imageShape,
                                     sigmoidHead: sigmoidHead)
    }

    /// The file ``preprocessingContract(imageShape:)`` takes the image shape from, for messages.
    public var imageShapeFile: String {
        self.preprocessing != nil ? Self.contractFile : self.imageShape != nil ? "model-shapes.json" : Self.hyperparametersFile
    }

    public enum ArtifactError: Error, CustomStringConvertible {
        case notFound(String)
        case missing(source: String, what: String)
        case invalid(source: String, file: String, detail: String)
        /// Several files could be the one asked for: the artifact says which to load, never a guess.
        case ambiguous(source: String, detail: String)

        public var description: String {
            switch self {
            case let .notFound(path): return "\(path): no such file or folder"
            case let .missing(source, what): return "\(source): \(what)"
            case let .invalid(source, file, detail): return "\(source): \(file): \(detail)"
            case let .ambiguous(source, detail): return "\(source): ambiguous artifact: \(detail)"
            }
        }
    }

    // MARK: - Loading

    /// Loads a `.tar.gz` or a folder. It must hold exactly one `*-symbol.json`; with several
    /// `*-NNNN.params` of its prefix, the highest number wins unless `epoch` names one. An
    /// archive may keep the files in a sub-folder, but two members with the same file name
    /// (in different folders) are an error, not a choice.
    public static func load(from url: URL, epoch: Int? = nil) throws -> ModelArtifact {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ArtifactError.notFound(url.path)
        }
        // A FIFO or device would block the read forever (and SIGTERM with it): regular files only.
        if !isDirectory.boolValue, let what = notRegular(url.path) {
            throw ArtifactError.missing(source: url.path, what: "it is \(what); expected a model.tar.gz file or a model folder")
        }
        var files: [String: Data]
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            // The service delivers a model channel as the archive itself
            // (`input/data/model/model.tar.gz`, application/x-sagemaker-model).
            if !names.contains(where: { $0.hasSuffix("-symbol.json") }) {
                // Among several, `model.tar.gz` is the model: the SDK's local mode puts the
                // earlier job's `output.tar.gz` beside it.
                let archives = names.filter { $0.hasSuffix(".tar.gz") || $0.hasSuffix(".tgz") }.sorted()
                if archives.count == 1 { return try load(from: url.appendingPathComponent(archives[0]), epoch: epoch) }
                if archives.contains("model.tar.gz") { return try load(from: url.appendingPathComponent("model.tar.gz"), epoch: epoch) }
                if archives.count > 1 {
                    throw ArtifactError.ambiguous(source: url.path, detail: "\(archives.count) archives (\(archives.joined(separator: ", "))), none named model.tar.gz, and no *-symbol.json; keep one")
                }
            }
            files = [:]
            for name in names where name.hasSuffix(".json") || name.hasSuffix(".params") {
                let file = url.appendingPathComponent(name)
                if let what = notRegular(file.path) {
                    throw ArtifactError.invalid(source: url.path, file: name, detail: "it is \(what), not a regular file")
                }
                files[name] = try Data(contentsOf: file)
            }
        } else {
            files = try baseNames(TarGz.read(contentsOf: url), source: url.path)
        }
        return try decode(files: files, source: url.path, epoch: epoch)
    }

    /// Weights that would turn every answer into NaN are refused by name at load (predict,
    /// serve, export, incremental training): a value that is not finite, or a BatchNorm
    /// variance below zero (its square root is taken).
    static func checkWeights(_ parameters: [(name: String, array: NDArray)], source: String, file: String) throws {
        for (name, array) in parameters where [.float32, .float16, .float64].contains(array.dtype) {
            let values = array.floats()
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw ArtifactError.invalid(source: source, file: file, detail: "\(name) holds \(values[i]) at index \(i); a model's weights must be finite numbers")
            }
            if name.hasSuffix("_moving_var"), let i = values.firstIndex(where: { $0 < 0 }) {
                throw ArtifactError.invalid(source: source, file: file, detail: "\(name) holds \(values[i]) at index \(i); a BatchNorm variance cannot be negative")
            }
        }
    }

    /// What `path` is when it is not a regular file ("a FIFO (named pipe)"), following links.
    static func notRegular(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Archive members by file name (archives may keep them in a sub-folder); two members of
    /// the same name are ambiguous.
    static func baseNames(_ members: [String: Data], source: String) throws -> [String: Data] {
        var byName: [String: [String]] = [:]
        for path in members.keys { byName[URL(fileURLWithPath: path).lastPathComponent, default: []].append(path) }
        if let (name, paths) = byName.filter({ $0.value.count > 1 }).min(by: { $0.key < $1.key }) {
            throw ArtifactError.ambiguous(source: source, detail: "\(name) is in the archive \(paths.count) times (\(paths.sorted().joined(separator: ", "))); keep one")
        }
        return Dictionary(uniqueKeysWithValues: byName.compactMap { name, paths in members[paths[0]].map { (name, $0) } })
    }

    /// `hyperparameters.json`: names and values, every value a string as training writes them.
    /// Anything else is an error naming the file, the first key that is not a string, and what
    /// the file should hold.
    static func decodeHyperparameters(_ data: Data, source: String) throws -> [String: String] {
        let expected = "expected a JSON object of hyperparameter names and string values ({\"num_layers\": \"18\", ...})"
        if let decoded = try? JSONDecoder().decode([String: String].self, from: data) { return decoded }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let key = object.keys.sorted().first(where: { !(object[$0] is String) }) {
            throw ArtifactError.invalid(source: source, file: hyperparametersFile,
                                        detail: "\(VisibleText.of(key, limit: 64)) is not a string; \(expected)")
        }
        throw ArtifactError.invalid(source: source, file: hyperparametersFile, detail: expected)
    }

    static func decode(files: [String: Data], source: String, epoch wanted: Int?) throws -> ModelArtifact {
        let symbolNames = files.keys.filter { $0.hasSuffix("-symbol.json") }.sorted()
        guard let symbolName = symbolNames.first else {
            throw ArtifactError.missing(source: source, what: "no *-symbol.json (expected \(prefix)-symbol.json)")
        }
        guard symbolNames.count == 1 else {
            throw ArtifactError.ambiguous(source: source, detail: "\(symbolNames.count) symbol files (\(symbolNames.joined(separator: ", "))); an artifact holds exactly one *-symbol.json")
        }
        let stem = String(symbolName.dropLast("-symbol.json".count))
        let checkpoints: [(Int, String)] = files.keys.compactMap { name in
            guard name.hasPrefix(stem + "-"), name.hasSuffix(".params") else { return nil }
            let number = name.dropFirst(stem.count + 1).dropLast(".params".count)
            // Exactly four digits, so no two names give the same number ("+001" is not 1).
            guard number.count == 4, number.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(number) else { return nil }
            return (n, name)
        }.sorted { $0.0 < $1.0 }
        guard !checkpoints.isEmpty else {
            throw ArtifactError.missing(source: source, what: "no \(stem)-NNNN.params beside \(symbolName)")
        }
        let chosen: (Int, String)
        if let wanted {
            guard let c = checkpoints.first(where: { $0.0 == wanted }) else {
                throw ArtifactError.missing(source: source, what: "no \(stem)-\(String(format: "%04d", wanted)).params (found \(checkpoints.map { $0.1 }.joined(separator: ", ")))")
            }
            chosen = c
        } else if let highest = checkpoints.last {
            chosen = highest
        } else {
            throw ArtifactError.missing(source: source, what: "no \(stem)-NNNN.params beside \(symbolName)")
        }
        guard let symbolData = files[symbolName], let paramsData = files[chosen.1] else {
            throw ArtifactError.missing(source: source, what: "\(symbolName) or \(chosen.1)")
        }
        let symbol = try Symbol(json: symbolData, source: symbolName)
        let parameters = try ParamsFile.read(data: paramsData, source: chosen.1)
        try checkWeights(parameters, source: source, file: chosen.1)

        var imageShape: [Int]?
        if let shapes = files["model-shapes.json"] {
            guard let list = try? JSONSerialization.jsonObject(with: shapes) as? [[String: Any]],
                  let data = list.first(where: { ($0["name"] as? String) == "data" }) ?? list.first,
                  let shape = data["shape"] as? [Int], shape.count == 4 else {
                throw ArtifactError.invalid(source: source, file: "model-shapes.json",
                                            detail: "expected [{\"shape\": [1, C, H, W], \"name\": \"data\"}]")
            }
            imageShape = Array(shape.dropFirst())
        }
        var classNames: [String]?
        if let data = files[classesFile] {
            guard let names = try? JSONDecoder().decode([String].self, from: data) else {
                throw ArtifactError.invalid(source: source, file: classesFile, detail: "expected a JSON array of class names")
            }
            classNames = names
        }
        var hyperparameters: [String: String]?
        if let data = files[hyperparametersFile] {
            hyperparameters = try decodeHyperparameters(data, source: source)
        }
        let history = try files[historyFile].map { try EpochRecord.history(from: $0, source: source) }
        var contract: PreprocessingContract?
        if let data = files[contractFile] {
            guard let decoded = try? JSONDecoder().decode(PreprocessingContract.self, from: data) else {
                if let number = JSONNumberRange.firstOutsideFloat(in: data) {
                    throw ArtifactError.invalid(source: source, file: contractFile,
                                                detail: "\(number.path): \(number.description); expected " + PreprocessingContract.expected)
                }
                throw ArtifactError.invalid(source: source, file: contractFile, detail: "expected " + PreprocessingContract.expected)
            }
            contract = decoded
        }
        var artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: chosen.0, imageShape: imageShape,
                                     classNames: classNames, hyperparameters: hyperparameters, history: history,
                                     preprocessing: contract, source: source)
        if let data = files[QuantizationTable.fileName] {
            do throws(QuantizationTable.FormatError) {
                artifact.quantization = try QuantizationTable.decode(data, file: QuantizationTable.fileName, symbol: symbol)
            } catch {
                throw ArtifactError.invalid(source: source, file: error.file, detail: "\(error.key): \(error.detail)")
            }
        }
        return artifact
    }
}
