import Foundation
import Support

/// One image found by `ImageLister`: im2rec's `(index, relative path, label)`.
public struct ListedImage: Sendable, Equatable {
    public var index: Int
    public var path: String
    public var labels: [Double]
    public init(index: Int, path: String, labels: [Double]) { self.index = index; self.path = path; self.labels = labels }
}

/// Finds images as im2rec.py's `list_image` does, through `FolderWalk`.
///
/// Recursive: a top-down walk (symlinks followed, each folder entered once), directory and file
/// names sorted by their bytes; each folder gets the next class index when it yields its first
/// image, so with images only in class folders, classes are numbered in sorted folder order.
/// Otherwise only the root's files, label 0. An extension matches case-insensitively (`.PNG`
/// matches `.png`).
public enum ImageLister {
    /// im2rec.py's default `--exts`.
    public static let defaultExtensions = [".jpeg", ".jpg", ".png"]

    /// The images and the class index of each folder that yielded one (relative path, "." for the root).
    /// Folders reached again through a symbolic link are skipped, with one call to `warn`.
    public static func list(root: URL, recursive: Bool, extensions: [String] = defaultExtensions,
                            warn: (String) -> Void = { FileHandle.standardError.write(Data(("warning: " + $0 + "\n").utf8)) })
        throws -> (images: [ListedImage], classes: [(folder: String, index: Int)]) {
        guard case .directory = FileKind.of(root.path) else {
            throw Im2RecError.notADirectory(root.path)
        }
        var listing: FolderWalk.Listing
        do {
            listing = try FolderWalk.images(under: root, recursive: recursive, extensions: Set(extensions.map { $0.lowercased() }))
        } catch {
            throw Im2RecError.io("\(root.path): cannot list: \(error)")
        }
        if let warning = listing.skippedWarning { warn(warning) }
        // A tab or line break in a name would split its .lst line: such files are left out, named.
        let unlistable = listing.images.filter { $0.path.unicodeScalars.contains { "\t\n\r".unicodeScalars.contains($0) } }
        if !unlistable.isEmpty {
            listing.images.removeAll { $0.path.unicodeScalars.contains { "\t\n\r".unicodeScalars.contains($0) } }
            let shown = unlistable.prefix(10).map { "'" + VisibleText.of($0.path) + "'" }.joined(separator: ", ")
            warn("left out \(unlistable.count) file(s) whose names hold a tab or a line break, which a .lst line cannot carry (rename them): \(shown)\(unlistable.count > 10 ? ", ..." : "")")
        }
        guard recursive else {
            return (listing.images.enumerated().map { ListedImage(index: $0, path: $1.path, labels: [0]) }, [])
        }
        let (labels, classNames) = listing.folderClasses()
        let images = zip(listing.images, labels).enumerated().map { i, pair in
            ListedImage(index: i, path: pair.0.path, labels: [Double(pair.1)])
        }
        let classes = classNames.enumerated().map { (folder: $1, index: $0) }
        return (images, classes)
    }

    /// `os.path.splitext(name)[1]`: from the last dot, ignoring leading dots (".bashrc" has none).
    static func pathExtension(_ name: String) -> String { FolderWalk.pathExtension(name) }
}
