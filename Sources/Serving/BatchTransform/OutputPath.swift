import Foundation
import Support

/// Where batch transform may write `<name>.out`: always inside the `--output` folder.
///
/// An input's name comes from a manifest or a list, so it is hostile text: a name that is
/// absolute or has a `..` component is refused (that image gets an error line; the job goes
/// on), and so is one whose existing sub-folders lead, through a symbolic link, out of the
/// output folder. Folders are created one level at a time after that check, so none is ever
/// made outside.
public enum OutputPath {
    /// The output file for `name` under `root`, creating its sub-folders; or why not.
    public static func file(for name: String, under root: URL) -> Result<URL, FileProblem> {
        // Split on the "/" scalar, not on Characters: "/" followed by a combining mark is one
        // Character to Swift but a separator to the file system ("../\u{301}x" must not pass).
        let components = ChannelPathComponents.of(name).filter { $0 != "." }
        guard name.unicodeScalars.first != "/", !components.isEmpty, !components.contains("..") else {
            return .failure(FileProblem(path: name, detail: "the name is absolute or has a '..' component, so its output would leave --output \(root.path); give names relative to the input folder"))
        }
        guard let realRoot = realPath(root.path) else {
            return .failure(FileProblem(path: root.path, detail: "the output folder does not exist"))
        }
        var folder = realRoot
        for component in components.dropLast() {
            let next = folder + "/" + component
            if let real = realPath(next) {
                guard real == realRoot || real.hasPrefix(realRoot + "/") else {
                    return .failure(FileProblem(path: next, detail: "this output sub-folder leads to \(real), outside --output \(realRoot)"))
                }
                folder = real
            } else {
                guard mkdir(next, 0o777) == 0 || errno == EEXIST else {
                    return .failure(FileProblem(path: next, detail: "cannot create the folder: \(SystemErrorText.current())"))
                }
                guard let real = realPath(next), real.hasPrefix(realRoot + "/") else {
                    return .failure(FileProblem(path: next, detail: "this output sub-folder leads outside --output \(realRoot)"))
                }
                folder = real
            }
        }
        return .success(URL(fileURLWithPath: folder + "/" + components[components.count - 1] + ".out"))
    }

    /// The canonical path (symbolic links resolved), nil when it does not exist.
    public static func realPath(_ path: String) -> String? { CanonicalPath.of(path) }
}
