import Support
import Foundation
import Graph

extension ModelArtifact {
    /// The file names this artifact writes for `epoch`.
    public static func paramsFileName(epoch: Int) -> String { "\(prefix)-\(String(format: "%04d", epoch)).params" }

    /// Writes the MXNet files and ours into `folder` (each atomically); returns the names written.
    /// The params file goes first: when the disk fills up, the folder holds the previous
    /// artifact (or none), never a symbol file that names weights which are not there.
    @discardableResult
    public func write(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paramsName = Self.paramsFileName(epoch: epoch)
        try AtomicFile.write(ParamsFile.encode(parameters), to: folder.appendingPathComponent(paramsName))
        return try [paramsName] + writeMetadata(to: folder)
    }

    /// Writes everything but the params file (symbol, shapes, class names, hyperparameters,
    /// history, preprocessing, quantization) into `folder`; returns the names written.
    @discardableResult
    public func writeMetadata(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        func put(_ name: String, _ data: Data) throws {
            try AtomicFile.write(data, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        try put("\(Self.prefix)-symbol.json", try symbol.jsonData())
        if let imageShape {
            try put("model-shapes.json", Data("[{\"shape\": [1, \(imageShape.map(String.init).joined(separator: ", "))], \"name\": \"data\"}]".utf8))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let classNames { try put(Self.classesFile, try encoder.encode(classNames)) }
        if let hyperparameters { try put(Self.hyperparametersFile, try encoder.encode(hyperparameters)) }
        if let history { try put(Self.historyFile, try EpochRecord.historyJSON(history)) }
        if let preprocessing { try put(Self.contractFile, try encoder.encode(preprocessing)) }
        if let quantization { try put(QuantizationTable.fileName, try quantization.jsonData()) }
        return written
    }

    /// Writes the artifact into `folder` and packs the same files as `folder/model.tar.gz`.
    public func writeArchive(to folder: URL, archiveName: String = "model.tar.gz") throws -> URL {
        try Self.pack(write(to: folder), in: folder, archiveName: archiveName)
    }
}
