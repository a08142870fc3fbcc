import Support
import Foundation

/// A training run's checkpoint files (`image-classification-NNNN.params`) in the folders it
/// keeps them in: listing, copying, pruning and packing them, each replacement atomic.
extension ModelArtifact {
    /// Whether `name` is one of the checkpoint files this artifact's prefix writes.
    public static func isCheckpointFile(_ name: String) -> Bool {
        name.hasPrefix(prefix + "-") && name.hasSuffix(".params")
    }

    /// The checkpoint files in `folder`, sorted.
    public static func checkpointFiles(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter(isCheckpointFile).sorted()
    }

    /// Whether `folder` holds the file `name`.
    public static func holds(_ name: String, in folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
    }

    /// Copies the file `name` from one folder into another, replacing any there atomically.
    public static func copy(_ name: String, from source: URL, to target: URL) throws {
        try AtomicFile.replace(target.appendingPathComponent(name)) { temporary in
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: temporary)
        }
    }

    /// Deletes checkpoint `epoch` from each folder; one already gone is no error.
    public static func prune(epoch: Int, in folders: [URL]) {
        for folder in folders { try? FileManager.default.removeItem(at: folder.appendingPathComponent(paramsFileName(epoch: epoch))) }
    }

    /// Packs the files `names` of `folder` into `folder/archiveName`; returns the archive.
    public static func pack(_ names: [String], in folder: URL, archiveName: String = "model.tar.gz") throws -> URL {
        let archive = folder.appendingPathComponent(archiveName)
        try TarGz.write(names.map { ($0, folder.appendingPathComponent($0)) }, to: archive)
        return archive
    }

    /// Files in `folder` that would be packed beside checkpoints `epochs` but are not theirs:
    /// other `.params` files and archives. Sorted; none when the folder does not exist.
    public static func foreignFiles(in folder: URL, keeping epochs: [Int]) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let ours = Set(epochs.map(paramsFileName(epoch:)))
        return names.filter { ($0.hasSuffix(".params") && !ours.contains($0)) || $0.hasSuffix(".tar.gz") }.sorted()
    }
}
