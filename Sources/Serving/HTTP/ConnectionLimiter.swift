import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// Bounds the open connections. At the limit the server stops accepting (new connections
/// wait in the listen backlog, holding no descriptor of ours) and closes the connection that
/// has been idle longest, so idle or half-sent clients can never lock out a new request.
final class ConnectionLimiter: Sendable {
    let maxConnections: Int
    private let state = Mutex(State())

    private struct State {
        var open = 0
        /// Connections with no request in progress, and since when.
        var idle: [ObjectIdentifier: (channel: any Channel, since: ContinuousClock.Instant)] = [:]
        /// Connections closed to make room that have not finished closing yet.
        var evicting: Set<ObjectIdentifier> = []
        /// The server has stopped accepting for lack of room.
        var waiting = false

        /// The longest idle connection (other than `spared`), removed from the idle set; nil
        /// while an earlier one is still closing.
        mutating func takeVictim(sparing spared: ObjectIdentifier?) -> (any Channel)? {
            guard evicting.isEmpty,
                  let oldest = idle.filter({ $0.key != spared }).min(by: { $0.value.since < $1.value.since }) else { return nil }
            idle[oldest.key] = nil
            evicting.insert(oldest.key)
            return oldest.value.channel
        }
    }

    init(maxConnections: Int) { self.maxConnections = max(1, maxConnections) }

    var openConnections: Int { state.withLock { $0.open } }

    func opened() { state.withLock { $0.open += 1 } }
    func closed() {
        state.withLock {
            $0.open -= 1
            if $0.open < maxConnections { $0.waiting = false }  // Hummingbird accepts again now
        }
    }

    /// Whether to accept another connection now; at the limit, closes the longest idle one.
    func accepting() -> Bool {
        let (accept, victim): (Bool, (any Channel)?) = state.withLock {
            if $0.open < maxConnections { return (true, nil) }
            $0.waiting = true
            return (false, $0.takeVictim(sparing: nil))
        }
        victim?.close(promise: nil)
        return accept
    }

    func markIdle(_ channel: any Channel) {
        // A connection accepted while the server waits for room may be the first idle one
        // known: make room now rather than at the next idle timeout.
        let victim: (any Channel)? = state.withLock {
            $0.idle[ObjectIdentifier(channel)] = (channel, .now)
            return $0.waiting && $0.open >= maxConnections ? $0.takeVictim(sparing: ObjectIdentifier(channel)) : nil
        }
        victim?.close(promise: nil)
    }

    func markBusy(_ channel: any Channel) {
        _ = state.withLock { $0.idle.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func forget(_ channel: any Channel) {
        state.withLock {
            $0.idle[ObjectIdentifier(channel)] = nil
            $0.evicting.remove(ObjectIdentifier(channel))
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
