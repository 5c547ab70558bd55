import Foundation
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's end of the control socket, driven by the `PollLoop`: accepts connections without
/// blocking, collects one request line per client, answers through `handler` and closes. A client
/// that sends garbage gets an `error` answer; one that sends nothing is dropped when too many
/// others wait. Nothing a client does can crash or stall the loop for long.
public final class ControlServer {
    public let path: String
    private let listener: Int32
    private var clients: [Int32: [UInt8]] = [:]
    private var order: [Int32] = []
    private let handler: (Result<ControlRequest, ControlRequest.ParseError>) -> ControlResponse
    private weak var loop: PollLoop?

    /// Clients allowed to wait for their request line at once; the oldest is dropped beyond this.
    static let maximumClients = 16

    /// Listens on `path` (mode 0660, group `kiosk` when it exists).
    public init(path: String, handler: @escaping (Result<ControlRequest, ControlRequest.ParseError>) -> ControlResponse) throws {
        self.path = path
        self.handler = handler
        listener = try UnixSocket.listen(path: path)
    }

    public func attach(to loop: PollLoop) {
        self.loop = loop
        loop.addReader(fd: listener) { [unowned self] in acceptAll() }
    }

    /// Stops listening, drops waiting clients and removes the socket file.
    public func close() {
        for fd in order { drop(fd) }
        loop?.removeReader(fd: listener)
        Posix.close(listener)
        unlink(path)
    }

    private func acceptAll() {
        while true {
            // accept4 is not visible through Glibc: accept, then set the flags.
            let fd: Int32
            do throws(SystemError) {
                guard case .processed(let accepted) = try Posix.accept(listener, path: path) else { return }  // no one else waits
                fd = accepted
            } catch {
                Log.warning("control socket: \(error)")
                return
            }
            _ = try? syscall("fcntl F_SETFD") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            try? UnixSocket.setNonBlocking(fd)
            if order.count >= ControlServer.maximumClients, let oldest = order.first { drop(oldest) }
            clients[fd] = []
            order.append(fd)
            loop?.addReader(fd: fd) { [unowned self] in readFrom(fd) }
        }
    }

    private func readFrom(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n: Int
            do throws(SystemError) {
                guard case .processed(let count) = try Posix.recv(fd, into: &chunk, path: path) else { return }  // more later
                n = count
            } catch {
                return drop(fd)
            }
            if n > 0 {
                clients[fd, default: []] += chunk[0..<n]
                if let newline = clients[fd]!.firstIndex(of: UInt8(ascii: "\n")) {
                    return answer(fd, request: Array(clients[fd]![..<newline]))
                }
                if clients[fd]!.count > ControlRequest.maximumLength {
                    return answer(fd, request: clients[fd]!)
                }
            } else {
                // Closed without a newline: answer what arrived (a shell `printf reload | nc -U` works too).
                let pending = clients[fd] ?? []
                return pending.isEmpty ? drop(fd) : answer(fd, request: pending)
            }
        }
    }

    private func answer(_ fd: Int32, request: [UInt8]) {
        let parsed = ControlRequest.parse(request)
        let (level, message) = ControlServer.logEntry(for: parsed)
        Log.write(level, message)
        let response = handler(parsed)
        // Answers are short; a bounded blocking send keeps a slow reader from stalling the loop.
        if let flags = try? syscall("fcntl F_GETFL", { fcntl(fd, F_GETFL) }) {
            _ = try? syscall("fcntl F_SETFL") { fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        }
        UnixSocket.setSendTimeout(fd, seconds: 1)
        UnixSocket.writeAll(fd, response.bytes)
        // Unread input at close would reset the connection before the client reads the answer.
        var sink = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<64 {
            guard case .processed(let n) = try? Posix.recv(fd, into: &sink, flags: Int32(MSG_DONTWAIT)), n > 0 else { break }
        }
        drop(fd)
    }

    /// The log line for a request: a valid one as its canonical words, a refused one with the
    /// client's text escaped (`Log.escaped`), so no client can write escape sequences, NUL bytes
    /// or a forged line into the log.
    public static func logEntry(for parsed: Result<ControlRequest, ControlRequest.ParseError>) -> (Log.Level, String) {
        switch parsed {
        case .success(let r): return (.info, "control: \(r.line)")
        case .failure(let e): return (.warning, "control: refused a malformed request: \(Log.escaped(e.description))")
        }
    }

    private func drop(_ fd: Int32) {
        loop?.removeReader(fd: fd)
        clients[fd] = nil
        order.removeAll { $0 == fd }
        Posix.close(fd)
    }
}

/// `kioskctl`'s end: sends one request and returns the daemon's answer.
public enum ControlClient {
    public static func send(_ request: ControlRequest, socketPath: String, timeoutSeconds: Int = 10) throws -> ControlResponse {
        try send(line: request.line, socketPath: socketPath, timeoutSeconds: timeoutSeconds)
    }

    /// Sends a raw line (tests use it to send malformed requests).
    public static func send(line: String, socketPath: String, timeoutSeconds: Int = 10) throws -> ControlResponse {
        let fd = try UnixSocket.connect(path: socketPath)
        defer { Posix.close(fd) }
        UnixSocket.setSendTimeout(fd, seconds: timeoutSeconds)
        UnixSocket.setReceiveTimeout(fd, seconds: timeoutSeconds)
        do throws(SystemError) { try UnixSocket.sendAll(fd, Array((line + "\n").utf8), path: socketPath) } catch {
            throw SocketError(operation: "send to", path: socketPath, error)
        }
        let bytes: [UInt8]
        do throws(SystemError) { bytes = try UnixSocket.receiveAll(fd, path: socketPath) } catch {
            throw SocketError(operation: "receive from", path: socketPath, error)
        }
        guard let response = ControlResponse.parse(bytes) else {
            throw SocketError(operation: "unreadable answer from", path: socketPath, code: EPROTO)
        }
        return response
    }
}
