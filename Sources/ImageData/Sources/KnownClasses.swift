/// Class names that class sub-folders are matched to by name (the train channel's, or a
/// model's `classes.json`), so a validation or evaluation folder is labelled as the model
/// was trained, whatever other folders sit beside it or are missing.
public struct KnownClasses: Sendable, Equatable {
    /// By class index.
    public var names: [String]
    /// Where the names come from, for messages: "the train channel", "the model's classes.json".
    public var origin: String

    public init(names: [String], origin: String) {
        self.names = names
        self.origin = origin
    }

    /// The names for a message, the first 20 of them at most.
    var listed: String {
        let shown = names.prefix(20).joined(separator: ", ")
        return names.count > 20 ? "\(shown) and \(names.count - 20) more" : shown
    }

    /// Each folder's class index by name. Folders not among the names are errors for `root`;
    /// classes without a folder are fine (a validation set may lack a rare class): one note.
    func indices(of folders: [String], root: String, warn: (String) -> Void) throws(DatasetError) -> [Int] {
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        let unknown = folders.filter { index[$0] == nil }
        if !unknown.isEmpty {
            var report = ValidationReport()
            let shown = unknown.prefix(20).joined(separator: ", ")
            let folderWord = unknown.count == 1 ? "class folder" : "class folders"
            report.add(file: root, "\(folderWord) \(shown)\(unknown.count > 20 ? " and \(unknown.count - 20) more" : "") not among the classes of \(origin) (\(listed)); class folders are matched to classes by name")
            throw .invalid(report)
        }
        let present = Set(folders)
        let missing = names.filter { !present.contains($0) }
        if !missing.isEmpty {
            let shown = missing.prefix(20).joined(separator: ", ")
            warn("\(root): no folder for \(missing.count) of the \(names.count) classes of \(origin) (\(shown)\(missing.count > 20 ? " and \(missing.count - 20) more" : "")); the others are matched by name")
        }
        return folders.map { index[$0] ?? 0 }
    }
}
