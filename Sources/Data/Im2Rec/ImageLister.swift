import Foundation

/// One image found by `ImageLister`: im2rec's `(index, relative path, label)`.
public struct ListedImage: Sendable, Equatable {
    public var index: Int
    public var path: String
    public var labels: [Double]
    public init(index: Int, path: String, labels: [Double]) { self.index = index; self.path = path; self.labels = labels }
}

/// Errors while listing or packing images.
public enum Im2RecError: Error, CustomStringConvertible {
    case notADirectory(String)
    case noListFiles(prefix: String)
    case badArgument(String)
    case io(String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): not a directory (expected the folder holding the images)"
        case .noListFiles(let prefix): return "no .lst file found with prefix \(prefix) (make one with --list)"
        case .badArgument(let m): return m
        case .io(let m): return m
        }
    }
}

/// Finds images as im2rec.py's `list_image` does.
///
/// Recursive: a top-down walk (symlinks followed), directory and file names sorted by their bytes;
/// each folder gets the next class index when it yields its first image, so with images only in
/// class folders, classes are numbered in sorted folder order. Otherwise only the root's files, label 0.
/// An extension matches case-insensitively (`.PNG` matches `.png`).
public enum ImageLister {
    /// im2rec.py's default `--exts`.
    public static let defaultExtensions = [".jpeg", ".jpg", ".png"]

    /// The images and the class index of each folder that yielded one (relative path, "." for the root).
    public static func list(root: URL, recursive: Bool, extensions: [String] = defaultExtensions) throws -> (images: [ListedImage], classes: [(folder: String, index: Int)]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw Im2RecError.notADirectory(root.path)
        }
        let exts = Set(extensions.map { $0.lowercased() })
        var images: [ListedImage] = []
        var classes: [(folder: String, index: Int)] = []
        var visited = Set<String>()

        func walk(_ relative: String) throws {
            let full = relative.isEmpty ? root.path : root.path + "/" + relative
            // Guard against symlink loops, which os.walk(followlinks=True) would follow forever.
            let real = (full as NSString).resolvingSymlinksInPath
            guard visited.insert(real).inserted else { return }
            let names = try FileManager.default.contentsOfDirectory(atPath: full).sorted(by: byteOrder)
            var dirs: [String] = []
            var classIndex: Int? = nil
            for name in names {
                var entryIsDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full + "/" + name, isDirectory: &entryIsDir) else { continue }
                if entryIsDir.boolValue { dirs.append(name); continue }
                guard exts.contains(pathExtension(name).lowercased()) else { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                if !recursive {
                    images.append(ListedImage(index: images.count, path: path, labels: [0]))
                    continue
                }
                if classIndex == nil {
                    classIndex = classes.count
                    classes.append((relative.isEmpty ? "." : relative, classes.count))
                }
                images.append(ListedImage(index: images.count, path: path, labels: [Double(classIndex!)]))
            }
            if recursive {
                for d in dirs { try walk(relative.isEmpty ? d : relative + "/" + d) }
            }
        }
        do { try walk("") } catch let error as Im2RecError { throw error } catch {
            throw Im2RecError.io("\(root.path): cannot list: \(error.localizedDescription)")
        }
        return (images, classes)
    }

    /// Python's string order: by code point, which is the order of the UTF-8 bytes.
    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// `os.path.splitext(name)[1]`: from the last dot, ignoring leading dots (".bashrc" has none).
    static func pathExtension(_ name: String) -> String {
        let bytes = Array(name.utf8)
        var start = 0
        while start < bytes.count && bytes[start] == UInt8(ascii: ".") { start += 1 }
        guard let dot = bytes[start...].lastIndex(of: UInt8(ascii: ".")) else { return "" }
        return String(decoding: bytes[dot...], as: UTF8.self)
    }
}
