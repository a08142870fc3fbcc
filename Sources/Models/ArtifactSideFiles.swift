import Support
import Foundation
import Graph

/// The files of an artifact beside its weights: the symbol, `model-shapes.json`, the class
/// names, hyperparameters, training history, preprocessing contract and quantization table.
/// A checkpoint writes them with its params file (`ModelArtifact.write`); a training run
/// refreshes them alone before packing (the history grows after every checkpoint).
public struct ArtifactSideFiles: Sendable {
    public var symbol: Symbol
    /// [C, H, W] for `model-shapes.json` (none written when nil).
    public var imageShape: [Int]?
    public var classNames: [String]?
    public var hyperparameters: [String: String]?
    public var history: [EpochRecord]?
    public var preprocessing: PreprocessingContract?
    public var quantization: QuantizationTable?

    public init(symbol: Symbol, imageShape: [Int]?, classNames: [String]? = nil, hyperparameters: [String: String]? = nil,
                history: [EpochRecord]? = nil, preprocessing: PreprocessingContract? = nil, quantization: QuantizationTable? = nil) {
        self.symbol = symbol
        self.imageShape = imageShape
        self.classNames = classNames
        self.hyperparameters = hyperparameters
        self.history = history
        self.preprocessing = preprocessing
        self.quantization = quantization
    }

    /// Writes each file present into `folder` (each atomically); returns the names written.
    @discardableResult
    public func write(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        func put(_ name: String, _ data: Data) throws {
            try AtomicFile.write(data, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        try put("\(ModelArtifact.prefix)-symbol.json", try symbol.jsonData())
        if let imageShape {
            try put("model-shapes.json", Data("[{\"shape\": [1, \(imageShape.map(String.init).joined(separator: ", "))], \"name\": \"data\"}]".utf8))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let classNames { try put(ModelArtifact.classesFile, try encoder.encode(classNames)) }
        if let hyperparameters { try put(ModelArtifact.hyperparametersFile, try encoder.encode(hyperparameters)) }
        if let history { try put(ModelArtifact.historyFile, try EpochRecord.historyJSON(history)) }
        if let preprocessing { try put(ModelArtifact.contractFile, try encoder.encode(preprocessing)) }
        if let quantization { try put(QuantizationTable.fileName, try quantization.jsonData()) }
        return written
    }
}

extension ModelArtifact {
    /// This artifact's files beside its weights.
    public var sideFiles: ArtifactSideFiles {
        ArtifactSideFiles(symbol: symbol, imageShape: imageShape, classNames: classNames, hyperparameters: hyperparameters,
                          history: history, preprocessing: preprocessing, quantization: quantization)
    }

    /// The artifact of `parameters` as checkpoint `epoch`, with `sideFiles` beside them.
    public init(parameters: [(name: String, array: NDArray)], epoch: Int, sideFiles: ArtifactSideFiles, source: String = "") {
        self.init(symbol: sideFiles.symbol, parameters: parameters, epoch: epoch, imageShape: sideFiles.imageShape,
                  classNames: sideFiles.classNames, hyperparameters: sideFiles.hyperparameters, history: sideFiles.history,
                  preprocessing: sideFiles.preprocessing, source: source)
        quantization = sideFiles.quantization
    }
}
