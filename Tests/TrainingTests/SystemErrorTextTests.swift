import Foundation
import Graph
import Support
import TestFixtures
import Testing

/// Messages about unreadable files give the system's reason, never Foundation's wording
/// ("You don't have permission", "NSCocoaErrorDomain Code=…"), and name the file.
@Suite struct SystemErrorTextTests {
    @Test func cocoaAndPOSIXErrorsReadAsTheSystemNamesThem() {
        #expect(SystemErrorText.of(CocoaError(.fileWriteOutOfSpace)) == String(cString: strerror(ENOSPC)))
        #expect(SystemErrorText.of(CocoaError(.fileReadNoPermission)) == String(cString: strerror(EACCES)))
        #expect(SystemErrorText.of(POSIXError(.EISDIR)) == String(cString: strerror(EISDIR)))
        let wrapped = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileReadUnknown.rawValue,
                              userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EIO))])
        #expect(SystemErrorText.of(wrapped) == String(cString: strerror(EIO)))
        #expect(!SystemErrorText.of(CocoaError(.featureUnsupported)).contains("NSCocoaErrorDomain"))
    }

    @Test func aFolderOrMissingFileGivenAsAModelFileIsNamedWithTheReason() throws {
        let dir = TemporaryFolders.url("syserr")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("model-symbol.json")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let missing = dir.appendingPathComponent("model-0000.params")
        for (action, url) in [({ _ = try Symbol.load(contentsOf: folder) }, folder),
                              ({ _ = try ParamsFile.read(contentsOf: missing) }, missing)] as [(() throws -> Void, URL)] {
            do {
                try action()
                Issue.record("reading \(url.path) should fail")
            } catch {
                let text = String(describing: error)
                #expect(text.contains(url.path), "\(text)")
                #expect(!text.contains("NSCocoaErrorDomain") && !text.contains("You don't have permission")
                        && !text.contains("couldn’t be opened"), "\(text)")
                #expect(text.contains(String(cString: strerror(EISDIR))) || text.contains(String(cString: strerror(ENOENT))), "\(text)")
            }
        }
    }
}
