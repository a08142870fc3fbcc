import Foundation

/// Reads RecordIO records strictly in order from a stream that cannot seek: a pipe, a FIFO
/// (SageMaker's Pipe mode, `<channel>_<epoch>`), or standard input.
public struct RecordIOStreamReader {
    private let handle: FileHandle
    private var input: ByteSource

    /// `source` names the stream in error messages (for example the FIFO's path or "stdin").
    public init(fileHandle: FileHandle, source: String) {
        handle = fileHandle
        input = ByteSource(fd: fileHandle.fileDescriptor, source: source, positioned: false)
    }

    /// The next record's payload, or nil when the stream ends cleanly between records.
    public mutating func next() throws -> [UInt8]? {
        try RecordAssembler.next(from: &input)?.payload
    }

    /// Bytes consumed so far (the offset of the next record in the stream).
    public var position: UInt64 { input.position }
}
