import Foundation

/// The 64-byte-aligned host memory tensors and arenas live in: a request the host cannot
/// meet is an ``AllocationError`` naming its size, not a trap.
enum AlignedMemory {
    static let alignment = 64

    /// `bytes` of uninitialised memory; release it with ``release(_:)``.
    static func allocate(bytes: Int) throws(AllocationError) -> UnsafeMutableRawPointer {
        var pointer: UnsafeMutableRawPointer?
        guard bytes >= 0, posix_memalign(&pointer, alignment, max(bytes, 1)) == 0, let pointer else {
            throw AllocationError(bytes: bytes)
        }
        return pointer
    }

    static func release(_ pointer: UnsafeMutableRawPointer) { free(pointer) }
}

/// The host could not provide memory for a tensor or an arena buffer.
public struct AllocationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The size of the request that failed.
    public let bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    public var description: String {
        let mib = Double(bytes) / Double(1 << 20)
        return "cannot allocate \(bytes) bytes (\(String(format: "%.1f", mib)) MiB) of host memory: the machine or its container has no more to give; use a smaller mini_batch_size or image_shape, or more memory"
    }
}
