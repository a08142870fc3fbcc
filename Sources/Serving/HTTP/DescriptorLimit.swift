import Foundation

/// Fits the connection limit under the process's descriptor limit (`ulimit -n`), keeping
/// some descriptors for the model, the listening socket and the runtime.
public enum DescriptorLimit {
    /// Descriptors kept for everything but connections.
    public static let reserved = 64

    /// `requested`, or less when the soft descriptor limit cannot hold that many connections.
    public static func connections(requested: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return requested }
        // RLIM_INFINITY is all ones: clamping makes it Int.max.
        let available = Int(clamping: limit.rlim_cur) - reserved
        return max(1, min(requested, available))
    }
}
