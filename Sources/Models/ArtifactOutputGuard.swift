import Foundation
import Support

/// Checks that an output written from a model never destroys that model or a folder it did
/// not create: `export` onto the model's own `.params` or `model.tar.gz`, or `quantize` into
/// the folder that holds the model (or into any folder that is not a model folder), is refused.
public enum ArtifactOutputGuard {
    public struct Refused: Error, CustomStringConvertible {
        public let path: String
        public let detail: String
        public var description: String { "\(path): \(detail)" }
    }

    /// Refuses an `output` file that is `model` itself or one of the files in the model folder
    /// (the same file under any name or link).
    public static func checkFile(_ output: URL, isNotPartOf model: URL) throws(Refused) {
        guard let target = identity(output.path) else { return }
        for file in files(of: model) where identity(file) == target {
            throw Refused(path: output.path, detail: "this is the input model's own file \(file); write the output elsewhere")
        }
    }

    /// Refuses an `output` folder that holds (or is) `model`, and an existing folder that is
    /// neither empty nor a model folder (a `*-symbol.json` and no sub-folders): replacing it
    /// would delete files imgclf did not write.
    public static func checkFolder(_ output: URL, model: URL) throws(Refused) {
        guard let outputPath = realPath(output.path) else { return }
        if let modelPath = realPath(model.path), modelPath == outputPath || modelPath.hasPrefix(outputPath + "/") {
            throw Refused(path: output.path, detail: "this folder holds the input model \(model.path); write the output to a new folder")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputPath, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputPath)) ?? []
        if names.isEmpty { return }
        let folders = names.filter { name in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: outputPath + "/" + name, isDirectory: &isFolder) && isFolder.boolValue
        }
        guard names.contains(where: { $0.hasSuffix("-symbol.json") }), folders.isEmpty else {
            let shown = names.sorted().prefix(5).joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
            throw Refused(path: output.path, detail: "the folder exists and is not a model folder (it holds \(shown)); replacing it would delete those files: choose a new folder")
        }
    }

    /// The model's files: the archive itself, or every regular file in its folder.
    static func files(of model: URL) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [model.path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: model.path)) ?? []
        return names.map { model.appendingPathComponent($0).path }
    }

    static func identity(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    static func realPath(_ path: String) -> String? { CanonicalPath.of(path) }
}
