import ImageData
import Support
import Foundation

/// One input of a batch transform: where its bytes are and the name its output takes.
public struct TransformInput: Sendable, Equatable {
    public var file: URL
    /// Relative name (sub-folders kept): the output is `<name>.out`.
    public var name: String

    public init(file: URL, name: String) {
        (self.file, self.name) = (file, name)
    }
}

/// What a transform did.
public struct TransformSummary: Sendable, Equatable {
    public var total = 0
    public var succeeded = 0
    public var failed = 0

    public init(total: Int = 0, succeeded: Int = 0, failed: Int = 0) {
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
    }
}

/// Batch transform as the managed service runs it, on local files: every input image gets
/// the response `/invocations` would give (JSON Lines), in `<input name>.out` under the output
/// folder, or as one line per image in a single JSON Lines file. An unreadable or undecodable
/// image gets an error line and the job goes on.
public enum BatchTransform {
    /// The inputs under a folder (every file, recursively, in byte order of their relative
    /// paths), or listed by a manifest: SageMaker's ManifestFile JSON
    /// (`[{"prefix": "DIR/"}, "a.jpg", "b/c.png"]`) or a text file with one path per line
    /// (relative to the manifest's folder).
    public static func inputs(from url: URL) throws(TransformError) -> [TransformInput] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadableInput(path: url.path, reason: "no such file or folder")
        }
        let found = isDirectory.boolValue ? try folderInputs(url) : try manifestInputs(url)
        if found.isEmpty { throw .noImages(path: url.path) }
        return found
    }

    /// Every file but hidden ones, walked as training walks image folders (links followed,
    /// loops skipped), in byte order of the relative paths.
    static func folderInputs(_ folder: URL) throws(TransformError) -> [TransformInput] {
        let listing: FolderWalk.Listing
        do { listing = try FolderWalk.images(under: folder, recursive: true, extensions: nil) } catch {
            throw .unreadableInput(path: folder.path, reason: "\(error)")
        }
        return listing.images.filter { !$0.name.hasPrefix(".") }.map(\.path).sorted(by: precedesInByteOrder)
            .map { TransformInput(file: folder.appendingPathComponent($0), name: $0) }
    }

    static func manifestInputs(_ manifest: URL) throws(TransformError) -> [TransformInput] {
        let data: Data
        do { data = try Data(contentsOf: manifest) } catch {
            throw .unreadableInput(path: manifest.path, reason: SystemErrorText.of(error))
        }
        let base = manifest.deletingLastPathComponent()
        if let list = try? JSONSerialization.jsonObject(with: data) as? [Any] {
            guard let head = list.first as? [String: Any], let prefix = head["prefix"] as? String else {
                throw .badManifest(path: manifest.path, detail: "a ManifestFile starts with {\"prefix\": \"FOLDER/\"}")
            }
            let root = prefix.hasPrefix("/") ? URL(fileURLWithPath: prefix) : base.appendingPathComponent(prefix)
            var inputs: [TransformInput] = []
            for (i, item) in list.dropFirst().enumerated() {
                guard let key = item as? String else {
                    throw .badManifest(path: manifest.path, detail: "entry \(i + 1) is not a string")
                }
                inputs.append(TransformInput(file: root.appendingPathComponent(key), name: key))
            }
            return inputs
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .badManifest(path: manifest.path, detail: "neither a JSON ManifestFile nor UTF-8 text with one path per line")
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { line in
                let file = line.hasPrefix("/") ? URL(fileURLWithPath: line) : base.appendingPathComponent(line)
                return TransformInput(file: file, name: line.hasPrefix("/") ? file.lastPathComponent : line)
            }
    }

    /// Classifies `inputs` in batches of the predictor's `maxBatch`. Writes `<name>.out` files
    /// under `output`, or (with `jsonl`) one line per image to that file:
    /// `{"file": NAME, "prediction": [...]}` or `{"file": NAME, "error": "..."}`.
    /// Never writes outside `output` (see `OutputPath`) and never over one of the inputs:
    /// a `jsonl` file that is an input (or `inputSource`, the manifest) is refused before any
    /// work; an `.out` file that is an input gets that image an error line.
    /// `accept` is the body format of each `.out` file, as the service's batch transform
    /// asks the container for it (`Accept`): a JSON array, or a `{"prediction": [...]}` line.
    public static func run(predictor: Predictor, inputs: [TransformInput], output: URL?, jsonl: URL?,
                           inputSource: URL? = nil, accept: ResponseFormat = .jsonLines,
                           warn: (String) -> Void = { _ in },
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(TransformError) -> TransformSummary {
        var summary = TransformSummary()
        summary.total = inputs.count
        let inputFiles = Set((inputs.map(\.file.path) + [inputSource?.path].compactMap { $0 }).compactMap(ImageFile.identity))
        if let output, jsonl == nil {
            do { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) } catch {
                throw .cannotWrite(path: output.path, reason: SystemErrorText.of(error))
            }
        }
        // A regular --jsonl file is written whole or not at all (renamed into place at the
        // end); a FIFO or /dev/stdout gets each line as it comes.
        var lines: OutputFile?
        if let jsonl {
            if let existing = ImageFile.identity(jsonl.path), inputFiles.contains(existing) {
                throw .cannotWrite(path: jsonl.path, reason: "this file is one of the inputs (same file, possibly through a link); choose another --jsonl path")
            }
            let folder = jsonl.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do { lines = try OutputFile(jsonl) } catch let error as AtomicFile.WriteError {
                throw .cannotWrite(path: jsonl.path, reason: error.detail)
            } catch {
                throw .cannotWrite(path: jsonl.path, reason: "\(error)")
            }
        }
        defer { lines?.abandon() }
        try predictor.classifyInBatches(count: inputs.count, read: { i in try ImageFile.read(inputs[i].file.path).get() }, deliver: { (i, classified) throws(TransformError) in
            let input = inputs[i]
            var outcome = classified
            var target: URL?
            if lines == nil, let output {
                switch destination(for: input.name, under: output, inputs: inputFiles) {
                case .success(let url): target = url
                case .failure(let problem):
                    // No file can carry this error: it goes to the warnings alone.
                    outcome = .failed(problem.description)
                }
            }
            let body: String
            switch outcome {
            case .failed(let message):
                summary.failed += 1
                warn("\(input.name): \(message)")
                body = lines != nil ? "{\"file\": \(JSONText.string(input.name)), \"error\": \(JSONText.string(message))}\n"
                                    : JSONText.error(message) + "\n"
            case .classified(let p):
                summary.succeeded += 1
                body = lines != nil ? "{\"file\": \(JSONText.string(input.name)), \"prediction\": \(JSONText.array(p))}\n"
                                    : accept.body(p) + (accept == .json ? "\n" : "")
            }
            do {
                if let lines {
                    try lines.write(Data(body.utf8))
                } else if let target {
                    try AtomicFile.write(Data(body.utf8), to: target)
                }
            } catch let error as AtomicFile.WriteError {
                throw .cannotWrite(path: error.file, reason: error.detail)
            } catch {
                throw .cannotWrite(path: (jsonl ?? target)?.path ?? "", reason: "\(error)")
            }
        }, progress: progress)
        do { try lines?.commit() } catch let error as AtomicFile.WriteError {
            throw .cannotWrite(path: error.file, reason: error.detail)
        } catch {
            throw .cannotWrite(path: jsonl?.path ?? "", reason: "\(error)")
        }
        return summary
    }

    /// The `.out` file for `name`: inside `output`, not a symbolic link, not an input.
    static func destination(for name: String, under output: URL, inputs: Set<FileIdentity>) -> Result<URL, FileProblem> {
        let target: URL
        switch OutputPath.file(for: name, under: output) {
        case .failure(let problem): return .failure(problem)
        case .success(let url): target = url
        }
        var info = stat()
        if lstat(target.path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFLNK {
                return .failure(FileProblem(path: target.path, detail: "the output file is a symbolic link; refusing to write through it"))
            }
            if let id = ImageFile.identity(target.path), inputs.contains(id) {
                return .failure(FileProblem(path: target.path, detail: "the output file is one of the inputs; refusing to overwrite it"))
            }
        }
        return .success(target)
    }
}
