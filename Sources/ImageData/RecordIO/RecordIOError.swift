/// Bad RecordIO data or I/O failures, each naming the file (or stream), the byte offset and what was
/// expected versus what was found.
public enum RecordIOError: Error, CustomStringConvertible, Equatable {
    /// A part header did not start with the magic word 0xCED7230A.
    case badMagic(source: String, offset: UInt64, found: UInt32)
    /// The data ended inside a part header.
    case truncatedHeader(source: String, offset: UInt64, got: Int)
    /// The data ended inside a part's payload (or its padding).
    case truncatedPayload(source: String, offset: UInt64, expected: Int, got: Int)
    /// Parts out of order (for example a middle part where a record should start).
    case badContinuation(source: String, offset: UInt64, cflag: UInt32, expected: String)
    /// A payload of 2^29 bytes or more, which the format cannot represent.
    case recordTooLarge(source: String, size: Int)
    /// The operating system refused an open, read, write or seek.
    case io(source: String, message: String)
    /// A malformed line in an `.idx` file.
    case badIndexLine(source: String, line: Int, text: String)
    /// An `.idx` line that parses but cannot be used (offset out of range, key or offset repeated).
    case badIndexEntry(source: String, line: Int, message: String)
    /// An image record whose header or label block is shorter than declared.
    case badImageRecord(source: String, message: String)

    public var description: String {
        switch self {
        case let .badMagic(source, offset, found): "\(source): at byte offset \(offset): expected the RecordIO magic word 0xCED7230A, found 0x\(String(found, radix: 16, uppercase: true))"
        case let .truncatedHeader(source, offset, got): "\(source): at byte offset \(offset): truncated record header: expected 8 bytes, found \(got) before the end of the data"
        case let .truncatedPayload(source, offset, expected, got): "\(source): record part at byte offset \(offset): truncated payload: expected \(expected) bytes (with padding), found \(got) before the end of the data"
        case let .badContinuation(source, offset, cflag, expected): "\(source): at byte offset \(offset): record part with cflag \(cflag) where \(expected) was expected"
        case let .recordTooLarge(source, size): "\(source): record of \(size) bytes is too large: RecordIO records must be smaller than 2^29 bytes"
        case let .io(source, message): "\(source): \(message)"
        case let .badIndexLine(source, line, text): "\(source): line \(line): expected \"key<TAB>offset\" with integer key and offset, found \"\(text)\""
        case let .badIndexEntry(source, line, message): "\(source): line \(line): \(message)"
        case let .badImageRecord(source, message): "\(source): \(message)"
        }
    }
}
