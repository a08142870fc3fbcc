import Support
import Foundation

/// Opens a channel folder in whichever layout it holds, validating it fully first.
public enum Dataset {
    /// How to read a channel.
    public struct Options: Sendable {
        /// Channel name for messages (`train`, `validation`).
        public var channel: String
        public var labels: LabelSpec
        /// The channel's content type: `application/x-recordio`, `application/x-image`,
        /// `application/x-recordio; label-format=class-id` (with a manifest), ...
        public var contentType: String?
        /// A `.lst` file from a separate `*_lst` channel (folder or file).
        public var lst: URL?
        /// `AttributeNames` when the channel is an augmented manifest.
        public var attributeNames: [String]?
        public var s3Mirror: URL?
        /// The share of a `.lst`'s lines with invalid labels that may be left out (`--skip-bad-labels`).
        public var badLabelAllowance: Double = 0
        /// Where warnings go (lines left out, multi-hot values read as positive, files skipped).
        public var warn: @Sendable (String) -> Void = LoaderConfig.standardError
        /// Class sub-folders are matched to these classes by name (`.lst`, `.rec` and manifest
        /// labels are numbers, and stay so); nil: numbered by sorted position.
        public var knownClasses: KnownClasses?
        /// Said once when class sub-folders are numbered by position (why no names match them).
        public var positionNote: String?

        public init(channel: String, labels: LabelSpec, contentType: String? = nil, lst: URL? = nil,
                    attributeNames: [String]? = nil, s3Mirror: URL? = nil) {
            self.channel = channel
            self.labels = labels
            self.contentType = contentType
            self.lst = lst
            self.attributeNames = attributeNames
            self.s3Mirror = s3Mirror
        }
    }

    /// Reads `folder` as: an augmented manifest (when AttributeNames are given, or when the
    /// folder holds one `.manifest` file and nothing else to train from, as a File-mode channel
    /// of the service does), `.rec` files, images with `.lst` list(s), or class sub-folders, in
    /// that order of preference.
    public static func open(_ folder: URL, options: Options) throws(DatasetError) -> any SampleSource {
        let files = try listFiles(folder)
        let manifests = files.filter { ["manifest", "jsonl", "json"].contains($0.pathExtension.lowercased()) }
        if let names = options.attributeNames {
            guard manifests.count == 1 else {
                throw .unrecognizedLayout(channel: options.channel,
                                          detail: "AttributeNames were given, so expected exactly one manifest file (.manifest, .jsonl or .json) in \(folder.path), found \(manifests.count)")
            }
            return try loadManifest(manifests[0], names: names, options: options)
        }
        let dotManifests = manifests.filter { $0.pathExtension.lowercased() == "manifest" }
        let otherForms = files.contains { ["rec", "lst"].contains($0.pathExtension.lowercased()) }
        if dotManifests.count > 1, !otherForms {
            throw .unrecognizedLayout(channel: options.channel,
                                      detail: "\(folder.path) holds \(dotManifests.count) manifest files (\(dotManifests.map(\.lastPathComponent).joined(separator: ", "))); a channel is read from one")
        }
        if dotManifests.count == 1, !otherForms {
            // The keys are read from the manifest's first line (the `*-ref` key and the label key).
            return try loadManifest(dotManifests[0], names: AugmentedManifest.guessAttributeNames(dotManifests[0]), options: options)
        }
        let recs = files.filter { $0.pathExtension.lowercased() == "rec" }
        if !recs.isEmpty {
            guard recs.count == 1 else {
                throw .unrecognizedLayout(channel: options.channel,
                                          detail: "found \(recs.count) .rec files in \(folder.path); put one per channel")
            }
            return try RecordFileSource(url: recs[0], labels: options.labels)
        }
        var lists = files.filter { $0.pathExtension.lowercased() == "lst" }
        if let lst = options.lst {
            lists = lst.hasDirectoryPath || isDirectory(lst)
                ? try listFiles(lst).filter { $0.pathExtension.lowercased() == "lst" } : [lst]
            if lists.isEmpty {
                throw .empty(channel: options.channel + "_lst", detail: "no .lst file in \(lst.path)")
            }
        }
        if !lists.isEmpty {
            var report = ValidationReport()
            var samples: [Sample] = []
            for list in lists {
                do throws(DatasetError) {
                    let parsed = try LstFile.load(list, root: folder, labels: options.labels,
                                                  badLabelAllowance: options.badLabelAllowance, warn: options.warn)
                    samples += parsed.samples(root: folder, listName: list.lastPathComponent)
                } catch {
                    if case .invalid(let r) = error { report.merge(r) } else { throw error }
                }
            }
            try report.throwIfProblems()
            return FileSampleSource(samples: samples)
        }
        return try ClassFolderDataset.scan(folder, numClasses: options.labels.multiLabel ? nil : options.labels.numClasses,
                                           known: options.knownClasses, positionNote: options.positionNote, warn: options.warn)
    }

    private static func loadManifest(_ url: URL, names: [String], options: Options) throws(DatasetError) -> any SampleSource {
        let format = try ManifestLabelFormat.from(contentType: options.contentType ?? "")
        return try AugmentedManifest.load(url, options: ManifestOptions(
            attributeNames: names, labels: options.labels, labelFormat: format, s3Mirror: options.s3Mirror))
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    private static func listFiles(_ folder: URL) throws(DatasetError) -> [URL] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .sorted(by: precedesInByteOrder)
                .map { folder.appendingPathComponent($0) }
        } catch {
            throw .unreadable(path: folder.path, reason: SystemErrorText.of(error))
        }
    }
}
