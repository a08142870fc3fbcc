import Support
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one walk over an image folder, shared by `im2rec --list` and class-folder data sets.
///
/// Order is im2rec's `os.walk(root, followlinks=True)`: top-down, a folder's files (in byte order
/// of their names) before its sub-folders (also in byte order). Symbolic links are followed, but a
/// folder already walked (the same device and inode, reached again through a link such as
/// `ln -s . loop`) is skipped, so a loop can neither hang the walk nor list an image twice.
public enum FolderWalk {
    /// An image file found: the folder it is in (relative to the root, "" for the root) and its name.
    public struct Image: Sendable, Equatable {
        public var folder: String
        public var name: String
        /// The path relative to the root.
        public var path: String { folder.isEmpty ? name : folder + "/" + name }
    }

    /// What a walk found.
    public struct Listing: Sendable {
        public var images: [Image] = []
        /// Folders (relative paths) not entered because they were already walked by another path.
        public var skippedFolders: [String] = []
        /// Image names that are FIFOs, devices or sockets (relative path and what it is): opening
        /// one would block or never end, so each is left out as an unreadable image is.
        public var skippedSpecialFiles: [(path: String, kind: String)] = []

        /// im2rec's labels: each image's folder numbered in the order folders are first met
        /// (the walk's order), and the folders in that order ("." for the root).
        public func folderClasses() -> (labels: [Int], classNames: [String]) {
            var labels: [Int] = [], classNames: [String] = [], classOf: [String: Int] = [:]
            for image in images {
                if let known = classOf[image.folder] {
                    labels.append(known)
                    continue
                }
                classOf[image.folder] = classNames.count
                labels.append(classNames.count)
                classNames.append(image.folder.isEmpty ? "." : image.folder)
            }
            return (labels, classNames)
        }

        /// One warning for all skipped folders, or nil when none was skipped.
        public var skippedWarning: String? {
            var parts: [String] = []
            if !skippedFolders.isEmpty {
                let shown = skippedFolders.prefix(10).joined(separator: ", ")
                let more = skippedFolders.count > 10 ? " and \(skippedFolders.count - 10) more" : ""
                parts.append("skipped \(skippedFolders.count) folder link(s) leading to a folder already listed (a symbolic link loop or a second path to the same folder): \(shown)\(more)")
            }
            if !skippedSpecialFiles.isEmpty {
                let shown = skippedSpecialFiles.prefix(10).map { "\($0.path) (\($0.kind))" }.joined(separator: ", ")
                let more = skippedSpecialFiles.count > 10 ? " and \(skippedSpecialFiles.count - 10) more" : ""
                parts.append("skipped \(skippedSpecialFiles.count) image name(s) that are not regular files (reading one would block or never end): \(shown)\(more)")
            }
            return parts.isEmpty ? nil : parts.joined(separator: "; ")
        }
    }

    /// Regular files (after links) under `root` whose extension, lower-cased and with its dot
    /// (`os.path.splitext`), is in `extensions` (every file when nil); only the root's own
    /// files unless `recursive`.
    public static func images(under root: URL, recursive: Bool, extensions: Set<String>?) throws(DatasetError) -> Listing {
        var listing = Listing()
        var walked = Set<FileID>()
        var pending = [""]  // folders still to walk, the next one last
        while let folder = pending.popLast() {
            let full = folder.isEmpty ? root.path : root.path + "/" + folder
            var st = stat()
            guard stat(full, &st) == 0 else {
                throw .unreadable(path: full, reason: SystemErrorText.current())
            }
            guard walked.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else {
                listing.skippedFolders.append(folder)
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: full).sorted(by: precedesInByteOrder)
            } catch {
                throw .unreadable(path: full, reason: SystemErrorText.of(error))
            }
            var subfolders: [String] = []
            for name in names {
                var entry = stat()
                // A broken link, or one we may not follow, is skipped, as os.path.isfile skips it.
                guard stat(full + "/" + name, &entry) == 0 else { continue }
                switch entry.st_mode & S_IFMT {
                case S_IFDIR:
                    subfolders.append(folder.isEmpty ? name : folder + "/" + name)
                case S_IFREG where extensions?.contains(pathExtension(name).lowercased()) ?? true:
                    listing.images.append(Image(folder: folder, name: name))
                case S_IFREG:
                    continue
                default:
                    guard extensions?.contains(pathExtension(name).lowercased()) ?? true else { continue }
                    let kind: String
                    switch entry.st_mode & S_IFMT {
                    case S_IFIFO: kind = "a FIFO"
                    case S_IFCHR: kind = "a character device"
                    case S_IFBLK: kind = "a block device"
                    case S_IFSOCK: kind = "a socket"
                    default: kind = "not a regular file"
                    }
                    listing.skippedSpecialFiles.append((folder.isEmpty ? name : folder + "/" + name, kind))
                }
            }
            if recursive { pending.append(contentsOf: subfolders.reversed()) }
        }
        return listing
    }

    /// `os.path.splitext(name)[1]`: from the last dot, ignoring leading dots (".bashrc" has none).
    public static func pathExtension(_ name: String) -> String {
        let bytes = Array(name.utf8)
        var start = 0
        while start < bytes.count && bytes[start] == UInt8(ascii: ".") { start += 1 }
        guard let dot = bytes[start...].lastIndex(of: UInt8(ascii: ".")) else { return "" }
        return String(decoding: bytes[dot...], as: UTF8.self)
    }

    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }
}
