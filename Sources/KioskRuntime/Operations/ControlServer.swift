#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's end of the control socket, driven by the `PollLoop`: accepts connections without
/// blocking, collects one request line per client, answers through `handler` and closes. A client
/// that sends garbage gets an `error` answer. The handler may answer later (`answer(_:_:)`: a
/// reload is loaded off the loop); such a client keeps its slot until answered. When
/// `maximumClients` already hold a slot, the oldest still sending its line is dropped if it has
/// been silent for `staleAfter` seconds (a client that connects and says nothing cannot hold a
/// slot), else the newcomer is answered `busy` at once, never reset. Nothing a client does can
/// crash or stall the loop for long.
public final class ControlServer {
    public let path: String
    private let listener: Int32
    private var clients: [Int32: [UInt8]] = [:]
    private var order: [Int32] = []
    /// When each waiting client connected (monotonic seconds).
    private var connected: [Int32: Double] = [:]
    /// Clients whose request was read and whose answer comes later, by descriptor.
    private var awaiting: [Int32: UInt64] = [:]
    private var serials: UInt64 = 0
    private let staleAfter: Double
    private let handler: (Result<ControlRequest, ControlRequest.ParseError>, ClientID) -> ControlResponse?
    private weak var loop: PollLoop?

    /// A client whose answer comes later. The serial tells a reused descriptor from the client
    /// that had it, so a late answer never reaches a newcomer.
    public struct ClientID: Hashable, Sendable {
        let fd: Int32
        let serial: UInt64
    }

    /// Clients allowed at once (sending their line or awaiting a later answer); beyond this a
    /// newcomer is answered `busy`, or takes the place of the oldest still sending its line when
    /// that one has been silent for `staleAfter`.
    public static let maximumClients = 16

    /// Listens on `path` (mode 0660, group `kiosk` when it exists); `handler` answers at once.
    public convenience init(
        path: String, staleAfter: Double = 1,
        handler: @escaping (Result<ControlRequest, ControlRequest.ParseError>) -> ControlResponse
    ) throws {
        try self.init(path: path, staleAfter: staleAfter, answerLater: { request, _ in handler(request) })
    }

    /// Listens on `path`; `handler` answers at once, or returns nil and calls `answer(_:_:)` with
    /// the client's id later, on the loop's thread.
    public init(
        path: String, staleAfter: Double = 1,
        answerLater handler: @escaping (Result<ControlRequest, ControlRequest.ParseError>, ClientID) -> ControlResponse?
    ) throws {
        self.path = path
        self.staleAfter = staleAfter
        self.handler = handler
        listener = try UnixSocket.listen(path: path)
    }

    /// Answers a client whose handler returned nil (ignored when it was already dropped).
    public func answer(_ client: ClientID, _ response: ControlResponse) {
        guard awaiting[client.fd] == client.serial else { return }
        awaiting[client.fd] = nil
        reply(client.fd, response)
    }

    public func attach(to loop: PollLoop) {
        self.loop = loop
        loop.addReader(fd: listener) { [unowned self] in acceptAll() }
    }

    /// Stops listening, drops waiting clients and removes the socket file.
    public func close() {
        for fd in order + Array(awaiting.keys) { drop(fd) }
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
            let now = Self.monotonicSeconds()
            if order.count + awaiting.count >= ControlServer.maximumClients {
                if let oldest = order.first, now - (connected[oldest] ?? now) >= staleAfter {
                    drop(oldest)
                } else {
                    Log.warning("control socket: \(order.count + awaiting.count) requests already waiting; answered a new one busy")
                    reply(fd, .error(ControlServer.busyAnswer))
                    continue
                }
            }
            clients[fd] = []
            connected[fd] = now
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
        // Read: from now on the client only waits for its answer (not stale, not read again).
        loop?.removeReader(fd: fd)
        clients[fd] = nil
        connected[fd] = nil
        order.removeAll { $0 == fd }
        serials += 1
        let client = ClientID(fd: fd, serial: serials)
        awaiting[fd] = client.serial
        if let response = handler(parsed, client) { answer(client, response) }
    }

    /// What a client is told when the socket is full: it may try again (`ControlClient` does).
    public static let busyAnswer = "busy: kioskd is answering \(maximumClients) other requests; try again in a moment"

    /// Sends `response` and closes.
    private func reply(_ fd: Int32, _ response: ControlResponse) {
        // Answers are short (a screenshot's PNG, a few hundred kB, is the largest); a bounded
        // blocking send keeps a slow reader from stalling the loop for long.
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

    private static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
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
        connected[fd] = nil
        order.removeAll { $0 == fd }
        awaiting[fd] = nil
        Posix.close(fd)
    }
}

/// `kioskctl`'s end: sends one request and returns the daemon's answer.
public enum ControlClient {
    public static func send(_ request: ControlRequest, socketPath: String, timeoutSeconds: Int = 10) throws -> ControlResponse {
        try send(line: request.line, socketPath: socketPath, timeoutSeconds: timeoutSeconds)
    }

    /// Sends a raw line (tests use it to send malformed requests).
    /// A `busy` answer is tried again, up to 5 times over about 1.5 s.
    public static func send(line: String, socketPath: String, timeoutSeconds: Int = 10) throws -> ControlResponse {
        var response = try sendOnce(line: line, socketPath: socketPath, timeoutSeconds: timeoutSeconds)
        for attempt in 0..<5 where !response.ok && response.text.hasPrefix(ControlServer.busyAnswer) {
            usleep(useconds_t(50_000 << attempt))  // 50, 100, 200, 400, 800 ms
            response = try sendOnce(line: line, socketPath: socketPath, timeoutSeconds: timeoutSeconds)
        }
        return response
    }

    private static func sendOnce(line: String, socketPath: String, timeoutSeconds: Int) throws -> ControlResponse {
        let fd = try UnixSocket.connect(path: socketPath)
        defer { Posix.close(fd) }
        UnixSocket.setSendTimeout(fd, seconds: timeoutSeconds)
        UnixSocket.setReceiveTimeout(fd, seconds: timeoutSeconds)
        do throws(SystemError) { try UnixSocket.sendAll(fd, Array((line + "\n").utf8), path: socketPath) } catch {
            // A full socket answers `busy` and closes at once, maybe before the line is sent:
            // the answer is still there to read.
            if let bytes = try? UnixSocket.receiveAll(fd, path: socketPath), let response = ControlResponse.parse(bytes) { return response }
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
