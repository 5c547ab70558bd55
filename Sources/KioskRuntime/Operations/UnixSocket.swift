#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// A failed socket call, with what was attempted and where, so the log line says what to fix.
public struct SocketError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var path: String
    public var code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation; self.path = path; self.code = code
    }

    /// `cause` as what `operation` ran into on `path`.
    public init(operation: String, path: String, _ cause: SystemError) {
        self.init(operation: operation, path: path, code: cause.code.rawValue)
    }

    public var description: String {
        let hint: String
        switch Errno(code) {
        case .noSuchFileOrDirectory, .connectionRefused: hint = "is kioskd running? check: systemctl status kioskd"
        case .permissionDenied, .notPermitted: hint = "permission denied: run as root or as a member of the 'kiosk' group"
        case .addressInUse: hint = "another kioskd is already listening there"
        case .wouldBlock: hint = "kioskd did not answer in time; check: systemctl status kioskd"
        default: hint = SystemError.advice(for: Errno(code), path: path.isEmpty ? nil : path)
        }
        return "\(operation) \(path): \(Errno(code)) (\(hint))"
    }
}

/// Thin typed wrappers over the Unix-domain socket calls the control socket and the systemd
/// notifier need. Each function maps to one C call and throws `SocketError` with `errno`.
public enum UnixSocket {
    /// Builds a `sockaddr_un`; a leading `@` means the Linux abstract namespace (as systemd
    /// writes it in `$NOTIFY_SOCKET`).
    public static func address(_ path: String) throws -> (sockaddr_un, socklen_t) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SocketError(operation: "socket path too long or empty:", path: path, code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        // Abstract addresses are exactly as long as their name; paths include the final NUL.
        let length = offset + bytes.count + (bytes[0] == 0 ? 0 : 1)
        return (addr, socklen_t(length))
    }

    /// `socket(AF_UNIX, type | SOCK_CLOEXEC, 0)`.
    public static func make(datagram: Bool) throws -> Int32 {
        let type = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        do throws(SystemError) { return try syscall("socket") { socket(AF_UNIX, type, 0) } } catch {
            throw SocketError(operation: "socket", path: "", error)
        }
    }

    /// Binds and listens on `path` (a stale socket file left by a crash is replaced), then sets
    /// its mode and gives it the group of the directory it is in, so only that group (the
    /// `kiosk` operators: systemd makes /run/kiosk `kiosk:kiosk`) can talk to the daemon. The
    /// directory's group rather than a lookup of "kiosk" by name: those who may enter the
    /// directory are the ones who can reach the socket anyway, and a name lookup loads the NSS
    /// modules (0.4 MB resident) into every daemon.
    public static func listen(path: String, mode: mode_t = 0o660) throws -> Int32 {
        let fd = try make(datagram: false)
        do {
            if let existing = try? connect(path: path) {
                Posix.close(existing)
                throw SocketError(operation: "listen", path: path, code: EADDRINUSE)
            }
            unlink(path)
            var (addr, length) = try address(path)
            do throws(SystemError) {
                _ = try syscall("bind", path: path) {
                    withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
                }
            } catch { throw SocketError(operation: "bind", path: path, error) }
            do throws(SystemError) { _ = try syscall("chmod", path: path) { chmod(path, mode) } } catch {
                throw SocketError(operation: "chmod", path: path, error)
            }
            var directory = stat()
            let folder = Path.folder(of: path)
            if stat(folder.isEmpty ? "." : folder, &directory) == 0 {
                // Best effort: a process may give a file only a group it is in (root any); the
                // mode still protects the socket where it cannot.
                _ = chown(path, uid_t.max, directory.st_gid)
            }
            do throws(SystemError) { _ = try syscall("listen", path: path) { Glibc.listen(fd, 16) } } catch {
                throw SocketError(operation: "listen", path: path, error)
            }
            try setNonBlocking(fd)
            return fd
        } catch {
            Posix.close(fd)
            throw error
        }
    }

    /// Connects a stream socket to `path` (blocking).
    public static func connect(path: String) throws -> Int32 {
        let fd = try make(datagram: false)
        var (addr, length) = try address(path)
        // Not made again when interrupted: the connection goes on being made, and a second
        // connect would fail with EALREADY.
        let connected = valueOrErrno(retryOnInterrupt: false) {
            withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        }
        if case .failure(let code) = connected {
            Posix.close(fd)
            throw SocketError(operation: "connect", path: path, code: code.rawValue)
        }
        return fd
    }

    /// `fcntl(F_SETFL, O_NONBLOCK)`.
    public static func setNonBlocking(_ fd: Int32) throws {
        do throws(SystemError) { try Posix.setNonBlocking(fd) } catch {
            throw SocketError(operation: "fcntl O_NONBLOCK", path: "fd \(fd)", error)
        }
    }

    /// Bounds how long a blocking send may stall (`SO_SNDTIMEO`), so a client that stops
    /// reading cannot hang the daemon's loop.
    public static func setSendTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = try? syscall("setsockopt SO_SNDTIMEO") { setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
    }

    /// Bounds how long a blocking receive may wait (`SO_RCVTIMEO`).
    public static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = try? syscall("setsockopt SO_RCVTIMEO") { setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) }
    }

    /// Sends all of `bytes`; a send that timed out (`SO_SNDTIMEO`) throws `.wouldBlock`.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8], path: String? = nil) throws(SystemError) {
        if try Posix.sendAll(fd, bytes, path: path) < bytes.count { throw SystemError(.wouldBlock, call: "send", path: path) }
    }

    /// Sends all of `bytes`; returns false on an error or timeout.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool { (try? sendAll(fd, bytes)) != nil }

    /// Receives until end of stream (or `limit` bytes); a receive that timed out
    /// (`SO_RCVTIMEO`) throws `.wouldBlock`.
    public static func receiveAll(_ fd: Int32, limit: Int = 16 << 20, path: String? = nil) throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            guard case .processed(let n) = try Posix.recv(fd, into: &chunk, path: path) else { throw SystemError(.wouldBlock, call: "recv", path: path) }
            if n == 0 { return result }
            result += chunk[0..<n]
        }
        return result
    }

    /// Reads until end of stream (or `limit` bytes); nil on error or timeout.
    public static func readAll(_ fd: Int32, limit: Int = 16 << 20) -> [UInt8]? { try? receiveAll(fd, limit: limit) }
}
