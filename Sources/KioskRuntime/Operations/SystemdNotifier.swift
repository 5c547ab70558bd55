#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The systemd notify protocol, natively (no libsystemd): each state change is one datagram of
/// `KEY=value` lines sent to the socket named in `$NOTIFY_SOCKET` (`READY=1`, `WATCHDOG=1`,
/// `RELOADING=1`, `STOPPING=1`, `STATUS=…`). Outside systemd the variable is unset and every
/// call does nothing, so the daemon runs the same in a terminal.
public struct SystemdNotifier: Sendable {
    /// The socket path (`@name` for the abstract namespace), or nil when not run by systemd.
    public let socketPath: String?
    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when the watchdog is on for us.
    public let watchdogInterval: TimeInterval?

    public init(environment: [String: String] = SystemdNotifier.variables(), pid: Int32 = getpid()) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        if let usec = environment["WATCHDOG_USEC"].flatMap({ UInt64($0) }), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == pid }) ?? true {
            watchdogInterval = TimeInterval(usec) / 1_000_000 / 2
        } else {
            watchdogInterval = nil
        }
    }

    /// The three variables systemd sets for the protocol, read with getenv: ProcessInfo's
    /// environment copies every variable into a dictionary at the daemon's start.
    public static func variables() -> [String: String] {
        var found: [String: String] = [:]
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) { found[name] = String(cString: value) }
        }
        return found
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (one or more `KEY=value` lines) as one datagram. Returns false when not
    /// under systemd or when the send failed (logged once per call; never fatal).
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path = socketPath else { return false }
        do {
            let fd = try UnixSocket.make(datagram: true)
            defer { Posix.close(fd) }
            var (addr, length) = try UnixSocket.address(path)
            let bytes = Array(state.utf8)
            do throws(SystemError) {
                // A datagram goes whole or not at all. MSG_DONTWAIT: never block the loop that
                // draws the screens; when the listener's queue is full it is dropped and logged.
                _ = try syscall("sendto", path: path) {
                    withUnsafePointer(to: &addr) { a in
                        a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sa, length) }
                        }
                    }
                }
            } catch {
                throw SocketError(operation: "sd_notify sendto", path: path, error)
            }
            return true
        } catch {
            Log.warning("systemd notify failed: \(error)")
            return false
        }
    }
}
