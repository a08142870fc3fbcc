import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore

/// Bounds the open connections. At the limit the server stops accepting (new connections
/// wait in the listen backlog, holding no descriptor of ours) and closes the connection that
/// has been idle longest, so idle or half-sent clients can never lock out a new request.
// Unchecked Sendable: every mutable field is read and written under `lock`.
final class ConnectionLimiter: @unchecked Sendable {
    let maxConnections: Int
    private let lock = NSLock()
    private var open = 0
    /// Connections with no request in progress, and since when.
    private var idle: [ObjectIdentifier: (channel: any Channel, since: ContinuousClock.Instant)] = [:]
    /// Connections closed to make room that have not finished closing yet.
    private var evicting: Set<ObjectIdentifier> = []
    /// The server has stopped accepting for lack of room.
    private var waiting = false

    init(maxConnections: Int) { self.maxConnections = max(1, maxConnections) }

    var openConnections: Int { lock.withLock { open } }

    func opened() { lock.withLock { open += 1 } }
    func closed() {
        lock.withLock {
            open -= 1
            if open < maxConnections { waiting = false }  // Hummingbird accepts again now
        }
    }

    /// Whether to accept another connection now; at the limit, closes the longest idle one.
    func accepting() -> Bool {
        let (accept, victim): (Bool, (any Channel)?) = lock.withLock {
            if open < maxConnections { return (true, nil) }
            waiting = true
            return (false, takeVictim(sparing: nil))
        }
        victim?.close(promise: nil)
        return accept
    }

    func markIdle(_ channel: any Channel) {
        // A connection accepted while the server waits for room may be the first idle one
        // known: make room now rather than at the next idle timeout.
        let victim: (any Channel)? = lock.withLock {
            idle[ObjectIdentifier(channel)] = (channel, .now)
            return waiting && open >= maxConnections ? takeVictim(sparing: ObjectIdentifier(channel)) : nil
        }
        victim?.close(promise: nil)
    }

    /// The longest idle connection (other than `spared`), removed from the idle set; nil
    /// while an earlier one is still closing. Call with the lock held.
    private func takeVictim(sparing spared: ObjectIdentifier?) -> (any Channel)? {
        guard evicting.isEmpty,
              let oldest = idle.filter({ $0.key != spared }).min(by: { $0.value.since < $1.value.since }) else { return nil }
        idle[oldest.key] = nil
        evicting.insert(oldest.key)
        return oldest.value.channel
    }

    func markBusy(_ channel: any Channel) {
        _ = lock.withLock { idle.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func forget(_ channel: any Channel) {
        lock.withLock {
            idle[ObjectIdentifier(channel)] = nil
            evicting.remove(ObjectIdentifier(channel))
        }
    }
}

/// Hummingbird's hook on accepting connections, backed by a `ConnectionLimiter`.
struct LimiterDelegate: AvailableConnectionsDelegate {
    let limiter: ConnectionLimiter
    mutating func connectionOpened() { limiter.opened() }
    mutating func connectionClosed() { limiter.closed() }
    func isAcceptingNewConnections() -> Bool { limiter.accepting() }
}
