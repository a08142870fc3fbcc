import Foundation

/// A folder of images with one sub-folder per class and no `.lst`: classes are numbered the
/// way MXNet's im2rec numbers them (a recursive walk in byte order of the names; each folder
/// that holds images becomes the next class), so `Zebra`, `cat`, `dog` are 0, 1, 2.
public enum ClassFolderDataset {
    /// File extensions im2rec lists (compared lower-cased).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Lists `root`'s images with their class index. Folders reached again through a symbolic
    /// link are skipped, with one call to `warn`.
    /// - Returns: the samples in walk order and the class names (folder paths relative to `root`).
    public static func scan(_ root: URL, numClasses: Int? = nil,
                            warn: (String) -> Void = { LoaderConfig.standardError($0) }) throws(DatasetError) -> FileSampleSource {
        let listing = try FolderWalk.images(under: root, recursive: true,
                                            extensions: Set(imageExtensions.map { "." + $0 }))
        if let warning = listing.skippedWarning { warn("\(root.path): \(warning)") }
        let (labels, classNames) = listing.folderClasses()
        let samples = zip(listing.images, labels).map { image, label in
            Sample(labels: [Float(label)], file: root.appendingPathComponent(image.path), reference: image.path)
        }
        if samples.isEmpty {
            throw .empty(channel: root.path, detail: "no .jpg, .jpeg or .png images in any sub-folder")
        }
        if let n = numClasses, classNames.count != n {
            var report = ValidationReport()
            report.add(file: root.path, "found \(classNames.count) class folders (\(classNames.joined(separator: ", "))) but num_classes is \(n)")
            throw .invalid(report)
        }
        return FileSampleSource(samples: samples, classNames: classNames)
    }
}
