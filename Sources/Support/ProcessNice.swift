import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps `nice -n 19 imgclf train ...` nice: the commands run on a Swift concurrency thread,
/// which libdispatch starts at its own priority (nice 0) whatever the process was given, and
/// oneDNN's OpenMP threads are created from it. Called first on that thread, this lowers it
/// to the main thread's niceness (a thread can always lower its own priority), so the compute
/// threads made afterwards inherit what the user asked for.
public enum ProcessNice {
    public static func applyToCurrentThread() {
        #if os(Linux)
        errno = 0
        let asked = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(getpid()))
        guard errno == 0 else { return }
        // On Linux, niceness is per thread: `who` 0 is the calling thread, the pid the main one.
        let thread: id_t = 0
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread)
        guard errno == 0, asked > current else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, asked)
        #endif
    }
}
