import Foundation

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
