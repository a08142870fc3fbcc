import Foundation

/// A folder of images with one sub-folder per class and no `.lst`: classes are numbered the
/// way MXNet's im2rec numbers them (a recursive walk in byte order of the names; each folder
/// that holds images becomes the next class), so `Zebra`, `cat`, `dog` are 0, 1, 2; or, given
/// the classes they must belong to, by name.
public enum ClassFolderDataset {
    /// File extensions im2rec lists (compared lower-cased).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Lists `root`'s images with their class index. Folders reached again through a symbolic
    /// link are skipped, with one call to `warn`.
    ///
    /// With `known` classes (validation beside a train channel, evaluation by a model that
    /// names its classes), each folder takes the index of the class of its name, and a folder
    /// of no known class is an error naming it; without, folders are numbered in walk order,
    /// and `positionNote` (if any) is said once through `warn`.
    /// - Returns: the samples in walk order and the class names (folder paths relative to `root`,
    ///   or the known names).
    public static func scan(_ root: URL, numClasses: Int? = nil, known: KnownClasses? = nil, positionNote: String? = nil,
                            warn: (String) -> Void = { LoaderConfig.standardError($0) }) throws(DatasetError) -> FileSampleSource {
        let listing = try FolderWalk.images(under: root, recursive: true,
                                            extensions: Set(imageExtensions.map { "." + $0 }))
        if let warning = listing.skippedWarning { warn("\(root.path): \(warning)") }
        let (positions, folders) = listing.folderClasses()
        if listing.images.isEmpty {
            throw .empty(channel: root.path, detail: "no .jpg, .jpeg or .png images in any sub-folder")
        }
        var labels = positions, classNames = folders
        if let known {
            let index = try known.indices(of: folders, root: root.path, warn: warn)
            labels = positions.map { index[$0] }
            classNames = known.names
        } else {
            if let n = numClasses, folders.count != n {
                var report = ValidationReport()
                report.add(file: root.path, "found \(folders.count) class folders (\(folders.joined(separator: ", "))) but num_classes is \(n)")
                throw .invalid(report)
            }
            if let positionNote {
                let shown = folders.prefix(10).enumerated().map { "\($0) = \($1)" }.joined(separator: ", ")
                warn("\(root.path): \(positionNote); class folders are numbered by their sorted position (\(shown)\(folders.count > 10 ? ", ..." : ""))")
            }
        }
        let samples = zip(listing.images, labels).map { image, label in
            Sample(labels: [Float(label)], file: root.appendingPathComponent(image.path), reference: image.path)
        }
        return FileSampleSource(samples: samples, classNames: classNames)
    }
}
