import Foundation
import Glibc
import Synchronization

/// Turns SIGTERM (a spot instance being reclaimed, `docker stop`) and SIGINT (Ctrl-C) into
/// a flag the training loop checks between batches, so it can save its state and exit
/// instead of dying mid-write.
///
/// Under mpirun two things differ. mpirun cannot forward SIGTERM, so `imgclf launch` asks
/// the workers to stop with SIGUSR1, which stands for SIGTERM here (``relayed``). And a
/// SIGTERM that reaches a worker under mpirun is mpirun ending the job (a worker failed, or
/// mpirun itself was signalled): SIGKILL follows a second later, so there is no time to
/// save; ``teardown``, when set, is called instead of raising the flag.
///
/// `@unchecked Sendable`: `received` is a Mutex (signal handlers run on a global queue, the
/// loop reads from its own thread); `sources` is set in `init` and only cancelled in `deinit`.
public final class StopSignal: @unchecked Sendable {
    /// Signals that request a stop as if they were another (SIGUSR1 for SIGTERM).
    public static let relayed: [Int32: Int32] = [SIGUSR1: SIGTERM]

    private let received = Mutex<Int32?>(nil)
    private var sources: [DispatchSourceSignal] = []

    /// - Parameter teardown: called (on a signal-handling thread) for SIGTERM and SIGINT
    ///   instead of requesting a stop; nil: they request a stop.
    public init(signals: [Int32] = [SIGTERM, SIGINT], relaying: [Int32: Int32] = StopSignal.relayed,
                teardown: (@Sendable (Int32) -> Void)? = nil) {
        sources = SignalSources.install(signals + relaying.keys.sorted()) { [weak self] s in
            if let meant = relaying[s] {
                self?.raise(meant)
            } else if let teardown {
                teardown(s)
            } else {
                self?.raise(s)
            }
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

/// Signals handled on a dispatch queue instead of by the default action: each is ignored
/// (so it no longer ends the process) and `handler` runs for it on a global queue. Keep the
/// returned sources alive for as long as the handling should last.
public enum SignalSources {
    public static func install(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> [DispatchSourceSignal] {
        signals.map { s in
            Glibc.signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { handler(s) }
            source.resume()
            return source
        }
    }
}
