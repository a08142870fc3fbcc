import Foundation
import TestFixtures
import Testing
import ImageData

/// Symbolic-link loops in image folders: `im2rec --list --recursive` and class-folder data sets
/// share one walk that follows links but enters each folder once.
@Suite(.removesTemporaryFolders) struct FolderWalkTests {
    /// root/cat/a.jpg, root/dog/b.png, root/dog/c.jpg -> ../cat/a.jpg (a file link, followed),
    /// and two loops: root/loop -> . and root/cat/up -> ..
    func makeLoopedTree(_ root: URL) throws {
        let fm = FileManager.default
        try HostileInput.write("x", to: root.appendingPathComponent("cat/a.jpg"))
        try HostileInput.write("x", to: root.appendingPathComponent("dog/b.png"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("dog/c.jpg").path, withDestinationPath: "../cat/a.jpg")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("loop").path, withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("cat/up").path, withDestinationPath: "..")
    }

    @Test func im2recListingSkipsLoopsAndListsEachImageOnce() throws {
        try HostileInput.inFolder { root in
            try makeLoopedTree(root)
            var warnings: [String] = []
            let (images, classes) = try ImageLister.list(root: root, recursive: true, warn: { warnings.append($0) })
            #expect(images.map(\.path) == ["cat/a.jpg", "dog/b.png", "dog/c.jpg"])
            #expect(images.map(\.labels) == [[0], [1], [1]])
            #expect(classes.map(\.folder) == ["cat", "dog"])
            #expect(warnings.count == 1)
            #expect(warnings.first?.contains("skipped 2 folder link(s)") == true)
            #expect(warnings.first?.contains("cat/up") == true && warnings.first?.contains("loop") == true)
        }
    }

    /// A FIFO, a device link and a name with a tab or newline: each is left out of the list
    /// with a warning naming it (control characters shown escaped), never opened or listed
    /// into a line its own packer would split.
    @Test func specialFilesAndUnlistableNamesAreNamed() throws {
        try HostileInput.inFolder { root in
            let fm = FileManager.default
            try HostileInput.write("x", to: root.appendingPathComponent("cat/a.jpg"))
            try HostileInput.write("x", to: root.appendingPathComponent("cat/tab\tname.jpg"))
            try HostileInput.write("x", to: root.appendingPathComponent("cat/line\nbreak.png"))
            #expect(mkfifo(root.appendingPathComponent("cat/pipe.jpg").path, 0o600) == 0)
            try fm.createSymbolicLink(atPath: root.appendingPathComponent("cat/zero.png").path, withDestinationPath: "/dev/zero")
            var warnings: [String] = []
            let (images, _) = try ImageLister.list(root: root, recursive: true, warn: { warnings.append($0) })
            #expect(images.map(\.path) == ["cat/a.jpg"])
            #expect(warnings.count == 2, "\(warnings)")
            #expect(warnings.contains { $0.contains("cat/pipe.jpg (a FIFO)") && $0.contains("cat/zero.png (a character device)") }, "\(warnings)")
            #expect(warnings.contains { $0.contains("'cat/tab\\tname.jpg'") && $0.contains("'cat/line\\nbreak.png'") && !$0.contains("\n") }, "\(warnings)")
            // Class folders give the same warning for the FIFO and the device.
            var datasetWarnings: [String] = []
            let source = try ClassFolderDataset.scan(root, numClasses: nil, warn: { datasetWarnings.append($0) })
            #expect(!(0..<source.count).map { source.reference(at: $0) }.contains { $0.contains("pipe") || $0.contains("zero") })
            #expect(datasetWarnings.contains { $0.contains("cat/pipe.jpg (a FIFO)") }, "\(datasetWarnings)")
        }
    }

    @Test func im2recMakeListTerminatesOnALoopedTree() throws {
        try HostileInput.inFolder { root in
            try makeLoopedTree(root.appendingPathComponent("images"))
            var options = ListOptions()
            options.recursive = true
            options.shuffle = false
            let prefix = root.appendingPathComponent("out").path
            let (files, _) = try ImageList.make(prefix: prefix, root: root.appendingPathComponent("images"), options: options)
            let text = try String(contentsOf: files[0], encoding: .utf8)
            #expect(text == "0\t0.000000\tcat/a.jpg\n1\t1.000000\tdog/b.png\n2\t1.000000\tdog/c.jpg\n")
        }
    }

    @Test func classFoldersSkipLoopsAndWarnOnce() throws {
        try HostileInput.inFolder { root in
            try makeLoopedTree(root)
            var warnings: [String] = []
            let source = try ClassFolderDataset.scan(root, numClasses: 2, warn: { warnings.append($0) })
            #expect(source.classNames == ["cat", "dog"])
            #expect(source.samples.map(\.reference) == ["cat/a.jpg", "dog/b.png", "dog/c.jpg"])
            #expect(warnings.count == 1 && warnings[0].contains(root.path))
        }
    }

    @Test func aFolderReachedTwiceIsWalkedOnce() throws {
        try HostileInput.inFolder { root in
            try HostileInput.write("x", to: root.appendingPathComponent("b/x.jpg"))
            // "a" sorts first, so the folder is walked as "a" and "b" is the second path to it.
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a").path, withDestinationPath: "b")
            var warnings: [String] = []
            let (images, _) = try ImageLister.list(root: root, recursive: true, warn: { warnings.append($0) })
            #expect(images.map(\.path) == ["a/x.jpg"])
            #expect(warnings.count == 1 && warnings[0].contains(": b"))
        }
    }

    @Test func fifosAndBrokenLinksAreNotImages() throws {
        try HostileInput.inFolder { root in
            try HostileInput.write("x", to: root.appendingPathComponent("cat/a.jpg"))
            _ = try HostileInput.fifo(at: root.appendingPathComponent("cat/pipe.jpg"))
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("cat/gone.jpg").path, withDestinationPath: "nowhere.jpg")
            let (images, _) = try ImageLister.list(root: root, recursive: true, warn: { _ in })
            #expect(images.map(\.path) == ["cat/a.jpg"])
        }
    }
}
