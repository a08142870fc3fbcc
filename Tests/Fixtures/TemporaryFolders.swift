import Foundation
import Testing

/// Temporary files and folders of the tests, removed when the test that made them ends.
///
/// `TemporaryFolders.url("name")` gives a fresh path (not created) under one folder of this
/// process, `imgclf-tests-PID` in the temporary directory; `make("name")` also creates it.
/// In a test with the `.removesTemporaryFolders` trait (on its suite or itself) each path is
/// removed when that test (each of its argument cases) ends, pass or fail. Paths made
/// outside such a test (another thread, a static) go when the process exits; the process
/// folder itself too.
public enum TemporaryFolders {
    /// The folder of this process; removed at exit.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imgclf-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TemporaryFolders.root) }
        return url
    }()

    /// The paths one test made, removed when it ends.
    public final class Scope: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: [URL] = []

        public init() {}

        func add(_ url: URL) {
            lock.lock()
            paths.append(url)
            lock.unlock()
        }

        /// Removes every path made in this scope.
        public func removeAll() {
            lock.lock()
            let all = paths
            paths = []
            lock.unlock()
            for url in all.reversed() { try? FileManager.default.removeItem(at: url) }
        }
    }

    @TaskLocal public static var current: Scope?

    /// A fresh path under the process folder, `NAME-UUID` (or `NAME-UUID.EXT`; not created);
    /// removed with the test.
    public static func url(_ name: String, pathExtension: String? = nil) -> URL {
        var url = root.appendingPathComponent("\(name.isEmpty ? "tmp" : name)-\(UUID().uuidString)")
        if let pathExtension { url.appendPathExtension(pathExtension) }
        current?.add(url)
        return url
    }

    /// A fresh empty folder (see `url`).
    public static func make(_ name: String) throws -> URL {
        let url = url(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `body` with a fresh empty folder and removes the folder after it, whatever happens.
    public static func with<T>(_ name: String, _ body: (URL) throws -> T) throws -> T {
        let url = try make(name)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }
}

/// Removes the temporary paths (`TemporaryFolders.url`, `make`) each test made when it ends.
public struct RemovesTemporaryFolders: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // One scope per test case (each argument of a parameterized test), none for a suite as a whole.
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        let scope = TemporaryFolders.Scope()
        defer { scope.removeAll() }
        try await TemporaryFolders.$current.withValue(scope) { try await function() }
    }
}

extension Trait where Self == RemovesTemporaryFolders {
    /// Each test's temporary paths are removed when it ends.
    public static var removesTemporaryFolders: Self { Self() }
}
