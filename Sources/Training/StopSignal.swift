import Foundation
import Glibc
import Synchronization

/// Turns SIGTERM (a spot instance being reclaimed, `docker stop`) and SIGINT (Ctrl-C) into
/// a flag the training loop checks between batches, so it can save its state and exit
/// instead of dying mid-write.
///
/// `@unchecked Sendable`: `received` is a Mutex (signal handlers run on a global queue, the
/// loop reads from its own thread); `sources` is set in `init` and only cancelled in `deinit`.
public final class StopSignal: @unchecked Sendable {
    private let received = Mutex<Int32?>(nil)
    private var sources: [DispatchSourceSignal] = []

    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        for s in signals {
            Glibc.signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { [weak self] in self?.raise(s) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }

    public func raise(_ signal: Int32) {
        received.withLock { if $0 == nil { $0 = signal } }
    }

    /// The first signal received, if any.
    public var signal: Int32? {
        received.withLock { $0 }
    }
}
