import Foundation

/// A folder of images with one sub-folder per class and no `.lst`: classes are numbered the
/// way MXNet's im2rec numbers them (a recursive walk in byte order of the names; each folder
/// that holds images becomes the next class), so `Zebra`, `cat`, `dog` are 0, 1, 2.
public enum ClassFolderDataset {
    /// File extensions im2rec lists (compared lower-cased).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Lists `root`'s images with their class index.
    /// - Returns: the samples in walk order and the class names (folder paths relative to `root`).
    public static func scan(_ root: URL, numClasses: Int? = nil) throws(DatasetError) -> FileSampleSource {
        var samples: [Sample] = []
        var classNames: [String] = []
        var classOf: [String: Int] = [:]
        try walk(root, relative: "") { relativeDir, fileName in
            let label: Int
            if let known = classOf[relativeDir] {
                label = known
            } else {
                label = classNames.count
                classOf[relativeDir] = label
                classNames.append(relativeDir.isEmpty ? "." : relativeDir)
            }
            let relative = relativeDir.isEmpty ? fileName : relativeDir + "/" + fileName
            samples.append(Sample(labels: [Float(label)], file: root.appendingPathComponent(relative),
                                  reference: relative))
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

    /// Byte-order comparison, as Python sorts names (Swift's `<` on String is not byte order).
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func walk(_ dir: URL, relative: String,
                             _ visit: (String, String) throws(DatasetError) -> Void) throws(DatasetError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            throw .unreadable(path: dir.path, reason: error.localizedDescription)
        }
        var files: [String] = []
        var dirs: [String] = []
        for name in names {
            var isDir: ObjCBool = false
            // fileExists follows symbolic links, as im2rec's walk does.
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &isDir) else { continue }
            if isDir.boolValue { dirs.append(name) } else { files.append(name) }
        }
        // os.walk yields a folder's files before descending into its sub-folders.
        for name in files.sorted(by: byteOrder) {
            let ext = (name as NSString).pathExtension.lowercased()
            if imageExtensions.contains(ext) { try visit(relative, name) }
        }
        for name in dirs.sorted(by: byteOrder) {
            try walk(dir.appendingPathComponent(name), relative: relative.isEmpty ? name : relative + "/" + name, visit)
        }
    }
}
