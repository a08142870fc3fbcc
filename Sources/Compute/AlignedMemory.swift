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
