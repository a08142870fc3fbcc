import Foundation
import Support

/// Output and checkpoint folders are proved writable before any training, so a job does not
/// fail only after its first epoch.
enum WritableFolder {
    /// Creates `folder` (and its parents) if needed, then creates and removes a probe file in it.
    /// `role` names the folder in the error ("output", "checkpoint").
    static func prepare(_ folder: URL, role: String) throws {
        try create(folder, role: role, target: folder)
        let probe = folder.appendingPathComponent(".imgclf-write-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw TrainingError.unwritableFolder(role: role, path: folder.path, reason: "cannot create files in it (\(SystemErrorText.current()))")
        }
        close(fd)
        unlink(probe.path)
    }

    /// mkdir(2) of each missing component, so the error says which one failed and why.
    private static func create(_ folder: URL, role: String, target: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                let what = folder.path == target.path ? "it is a file, not a folder" : "\(folder.path) is a file, not a folder"
                throw TrainingError.unwritableFolder(role: role, path: target.path, reason: what)
            }
            return
        }
        let parent = folder.deletingLastPathComponent()
        if parent.path != folder.path { try create(parent, role: role, target: target) }
        guard mkdir(folder.path, 0o755) == 0 || errno == EEXIST else {
            throw TrainingError.unwritableFolder(role: role, path: target.path,
                                                 reason: "cannot create \(folder.path) (\(SystemErrorText.current()))")
        }
    }
}
