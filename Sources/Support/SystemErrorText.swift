import Foundation

/// The reason a file operation failed, as the system names it ("Permission denied", "Is a
/// directory", "No space left on device"): Foundation's own text ("You don't have
/// permission", "NSCocoaErrorDomain Code=257") is wrong as root and means nothing to a user.
public enum SystemErrorText {
    /// The text of the current `errno`.
    public static func current() -> String { posix(errno) }

    /// The text of one POSIX error code.
    public static func posix(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The reason inside `error`: its POSIX cause when Foundation kept one, else what its
    /// Cocoa code means; errors of our own types keep their own description.
    public static func of(_ error: any Error) -> String {
        if let posixError = error as? POSIXError { return posix(posixError.code.rawValue) }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return posix(Int32(truncatingIfNeeded: nsError.code)) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(truncatingIfNeeded: underlying.code))
        }
        if nsError.domain == NSCocoaErrorDomain {
            // Foundation drops the cause of some failures (reading a folder is "unknown"):
            // the path it names says what is there instead.
            if let path = nsError.userInfo[NSFilePathErrorKey] as? String, let found = whatIsThere(path) { return found }
            return cocoaReason(CocoaError.Code(rawValue: nsError.code))
        }
        return String(describing: error)
    }

    /// "Is a directory" for a folder, the stat error for a path that cannot be looked at.
    private static func whatIsThere(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return current() }
        return (info.st_mode & S_IFMT) == S_IFDIR ? posix(EISDIR) : nil
    }

    private static func cocoaReason(_ code: CocoaError.Code) -> String {
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return posix(ENOENT)
        case .fileReadNoPermission, .fileWriteNoPermission: return posix(EACCES)
        case .fileWriteOutOfSpace: return posix(ENOSPC)
        case .fileWriteVolumeReadOnly: return posix(EROFS)
        case .fileWriteFileExists: return posix(EEXIST)
        case .fileReadTooLarge: return "the file is too large to read into memory"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "the file name is not valid"
        case .fileReadCorruptFile: return "the file is not in the expected format"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "the text is not in the expected encoding"
        default: return "the system refused it (error \(code.rawValue))"
        }
    }
}
