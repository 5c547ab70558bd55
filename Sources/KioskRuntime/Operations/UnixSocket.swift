import Foundation
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

    public var description: String {
        var hint = ""
        switch code {
        case ENOENT, ECONNREFUSED: hint = " (is kioskd running? check: systemctl status kioskd)"
        case EACCES, EPERM: hint = " (permission denied: run as root or as a member of the 'kiosk' group)"
        case EADDRINUSE: hint = " (another kioskd is already listening there)"
        default: break
        }
        return "\(operation) \(path): \(String(cString: strerror(code)))\(hint)"
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
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", path: "", code: errno) }
        return fd
    }

    /// Binds and listens on `path` (a stale socket file left by a crash is replaced), then sets
    /// its mode (and group, when given) so only the operators' group can talk to the daemon.
    public static func listen(path: String, mode: mode_t = 0o660, group: String? = "kiosk") throws -> Int32 {
        let fd = try make(datagram: false)
        do {
            if let existing = try? connect(path: path) {
                close(existing)
                throw SocketError(operation: "listen", path: path, code: EADDRINUSE)
            }
            unlink(path)
            var (addr, length) = try address(path)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard rc == 0 else { throw SocketError(operation: "bind", path: path, code: errno) }
            guard chmod(path, mode) == 0 else { throw SocketError(operation: "chmod", path: path, code: errno) }
            if let group, let entry = getgrnam(group) {
                // Best effort: without the group (a developer machine) the mode still protects it.
                _ = chown(path, uid_t.max, entry.pointee.gr_gid)
            }
            guard Glibc.listen(fd, 16) == 0 else { throw SocketError(operation: "listen", path: path, code: errno) }
            try setNonBlocking(fd)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Connects a stream socket to `path` (blocking).
    public static func connect(path: String) throws -> Int32 {
        let fd = try make(datagram: false)
        var (addr, length) = try address(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw SocketError(operation: "connect", path: path, code: code)
        }
        return fd
    }

    /// `fcntl(F_SETFL, O_NONBLOCK)`.
    public static func setNonBlocking(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw SocketError(operation: "fcntl O_NONBLOCK", path: "fd \(fd)", code: errno)
        }
    }

    /// Bounds how long a blocking send may stall (`SO_SNDTIMEO`), so a client that stops
    /// reading cannot hang the daemon's loop.
    public static func setSendTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Bounds how long a blocking receive may wait (`SO_RCVTIMEO`).
    public static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`, retrying on EINTR; returns false on any other error or timeout.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }

    /// Reads until end of stream (or `limit` bytes); nil on error.
    public static func readAll(_ fd: Int32, limit: Int = 16 << 20) -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n > 0 { result += chunk[0..<n] } else if n == 0 { return result } else if errno == EINTR { continue } else { return nil }
        }
        return result
    }
}
