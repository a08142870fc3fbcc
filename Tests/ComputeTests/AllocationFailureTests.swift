import Compute
import Testing

/// Memory the host cannot provide is an `AllocationError` naming the size, not a trap.
@Suite struct AllocationFailureTests {
    /// 2^60 bytes: more than any x86-64 address space holds, so the request fails at once.
    static let impossible = 1 << 60

    @Test func anArenaBufferTooLargeForTheHostIsANamedError() {
        let arena = Arena()
        #expect(throws: AllocationError(bytes: Self.impossible)) { _ = try arena.allocate(bytes: Self.impossible) }
        #expect(arena.buffers.isEmpty)
        #expect("\(AllocationError(bytes: Self.impossible))".contains("cannot allocate \(Self.impossible) bytes"))
    }

    @Test func aTensorTooLargeForTheHostIsANamedError() {
        // 2^58 floats.
        let error = #expect(throws: AllocationError.self) { _ = try Tensor(plain: [1 << 28, 1 << 30]) }
        #expect(error?.bytes == Self.impossible)
    }
}
