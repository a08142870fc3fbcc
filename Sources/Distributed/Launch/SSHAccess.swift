import Foundation
import Glibc

/// Open MPI reaches the other hosts over ssh: their sshd must be up before the leader's
/// mpirun starts (the service starts every host's container at about the same time).
enum SSHAccess {
    /// Waits until every host accepts TCP connections on the ssh port; throws naming the
    /// ones that did not within `seconds`.
    static func waitForSSH(on hosts: [String], port: UInt16 = 22, seconds: Double) throws {
        let started = Date()
        var waiting = hosts
        var said = false
        while true {
            waiting = waiting.filter { !accepts($0, port: port) }
            if waiting.isEmpty { return }
            if Date().timeIntervalSince(started) > seconds {
                throw LaunchError(description: "\(waiting.joined(separator: ", ")) did not accept ssh connections (port \(port)) within \(Int(seconds)) s: the leader's mpirun starts the workers over ssh, so every host needs sshd running (imgclf launch starts it on the other hosts when it is installed; see docs/distributed.md)")
            }
            if !said {
                FileHandle.standardError.write(Data("note: waiting for ssh on \(waiting.joined(separator: ", "))\n".utf8))
                said = true
            }
            Thread.sleep(forTimeInterval: 1)
        }
    }

    /// Whether `host` resolves and takes a connection on `port` within a second.
    static func accepts(_ host: String, port: UInt16) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(first) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let e = entry {
            let fd = socket(e.pointee.ai_family, e.pointee.ai_socktype, e.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let connected = connect(fd, e.pointee.ai_addr, e.pointee.ai_addrlen) == 0
                close(fd)
                if connected { return true }
            }
            entry = e.pointee.ai_next
        }
        return false
    }

    /// A worker host's sshd, started when none runs here and Debian's is installed (the
    /// container's case); nil when one already runs or there is none to start.
    static func startDaemonIfNeeded() -> Process? {
        let sshd = "/usr/sbin/sshd"
        guard FileManager.default.isExecutableFile(atPath: sshd),
              !WorkerHostWait.processes().contains(where: { $0.name == "sshd" }) else { return nil }
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sshd)
        process.arguments = ["-D", "-e"]
        do {
            try process.run()
        } catch {
            FileHandle.standardError.write(Data("warning: could not start \(sshd): \(error); the leader cannot reach this host unless sshd runs\n".utf8))
            return nil
        }
        FileHandle.standardError.write(Data("note: started \(sshd) for the leader's mpirun\n".utf8))
        return process
    }
}
