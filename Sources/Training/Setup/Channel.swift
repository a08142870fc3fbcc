import ImageData
import Foundation

/// One input channel of a training job (`train`, `validation`): where its data is and how
/// to read it.
public struct Channel: Sendable {
    public var name: String
    /// A `.rec` file, a folder (`.rec`, images with `.lst`, class sub-folders, or a
    /// manifest), a JSON Lines manifest file; in pipe mode the FIFO path without `_<epoch>`.
    public var path: URL
    public var lst: URL?
    public var contentType: String?
    public var attributeNames: [String]?
    public var pipeMode: Bool
    public var s3Mirror: URL?
    /// What a pipe's records hold (with AttributeNames given, always manifest pairs).
    public var pipeLayout: PipeLayout
    /// In pipe mode, whether a record with an invalid label fails the epoch (else it is skipped and counted).
    public var badLabelsFail: Bool = true
    /// The service gave each host its own files (S3DistributionType ShardedByS3Key): read
    /// them all on this host, rather than a worker's share of one common set.
    public var preSharded: Bool = false

    /// The records of a Pipe-mode channel.
    public enum PipeLayout: Sendable {
        /// RecordIO image records (header with the labels, then the image).
        case imageRecords
        /// An augmented manifest (`RecordWrapperType: RecordIO`): the image bytes, then the label text.
        case manifestPairs
    }

    public init(name: String, path: URL, lst: URL? = nil, contentType: String? = nil, attributeNames: [String]? = nil,
                pipeMode: Bool = false, s3Mirror: URL? = nil, pipeLayout: PipeLayout = .imageRecords) {
        self.name = name
        self.path = path
        self.lst = lst
        self.contentType = contentType
        self.attributeNames = attributeNames
        self.pipeMode = pipeMode
        self.s3Mirror = s3Mirror
        self.pipeLayout = attributeNames != nil ? .manifestPairs : pipeLayout
    }

    /// What a random-access channel holds once opened and validated.
    public struct Opened: Sendable {
        public var source: any SampleSource
        /// Class names by index, when the layout names them (class folders).
        public var classNames: [String]
    }

    /// Opens and validates a File-mode channel (every problem reported at once). A `.lst`'s
    /// lines with invalid labels are left out, with a `warn`ing, while they are at most
    /// `badLabelAllowance` of it (a `.rec`'s are audited by the trainer).
    /// Class sub-folders are matched to `knownClasses` by name when given (validation: the
    /// train channel's classes).
    public func open(labels: LabelSpec, badLabelAllowance: Double = 0, knownClasses: KnownClasses? = nil,
                     warn: @escaping @Sendable (String) -> Void = LoaderConfig.standardError) throws -> Opened {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw DatasetError.unreadable(path: path.path, reason: "the \(name) channel does not exist")
        }
        let source: any SampleSource
        if isDirectory.boolValue {
            var options = Dataset.Options(channel: name, labels: labels, contentType: contentType, lst: lst,
                                          attributeNames: attributeNames, s3Mirror: s3Mirror)
            options.badLabelAllowance = badLabelAllowance
            options.warn = warn
            options.knownClasses = knownClasses
            source = try Dataset.open(path, options: options)
        } else {
            switch path.pathExtension.lowercased() {
            case "rec":
                source = try RecordFileSource(url: path, labels: labels)
            case "lst":
                var options = Dataset.Options(channel: name, labels: labels, contentType: contentType, lst: path)
                options.badLabelAllowance = badLabelAllowance
                options.warn = warn
                source = try Dataset.open(path.deletingLastPathComponent(), options: options)
            case "jsonl", "manifest", "json":
                let format = try ManifestLabelFormat.from(contentType: contentType ?? "")
                source = try AugmentedManifest.load(path, options: ManifestOptions(
                    attributeNames: try attributeNames ?? AugmentedManifest.guessAttributeNames(path), labels: labels,
                    labelFormat: format, s3Mirror: s3Mirror))
            default:
                throw DatasetError.unrecognizedLayout(channel: name, detail: "\(path.path) is not a .rec, .lst or JSON Lines manifest file, nor a folder")
            }
        }
        guard source.count > 0 else {
            throw DatasetError.empty(channel: name, detail: "no images in \(path.path)")
        }
        return Opened(source: source, classNames: (source as? FileSampleSource)?.classNames ?? [])
    }

    /// The stream of epoch `epoch` in pipe mode: the FIFO `<path>_<epoch>`.
    public func stream(epoch: Int, labels: LabelSpec) throws -> any SampleStream {
        let layout: PipeRecordStream.Layout
        switch pipeLayout {
        case .manifestPairs:
            // Only the label record is parsed: the names are the manifest's keys, not in the stream.
            layout = .manifest(ManifestOptions(attributeNames: attributeNames ?? ["source-ref", "class"], labels: labels,
                                               labelFormat: try ManifestLabelFormat.from(contentType: contentType ?? "")))
        case .imageRecords:
            layout = .imageRecords
        }
        return try PipeRecordStream.open(URL(fileURLWithPath: path.path + "_\(epoch)"), channel: name, epoch: epoch,
                                         layout: layout, labels: labels, badLabelsFail: badLabelsFail)
    }
}
