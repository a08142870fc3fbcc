import Support
import Foundation
import Graph

/// Writing an artifact: its params file, then its side files (`ArtifactSideFiles`), packed or not.
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
        return try [paramsName] + sideFiles.write(to: folder)
    }

    /// Writes the artifact into `folder` and packs the same files as `folder/model.tar.gz`.
    public func writeArchive(to folder: URL, archiveName: String = "model.tar.gz") throws -> URL {
        try Self.pack(write(to: folder), in: folder, archiveName: archiveName)
    }
}
