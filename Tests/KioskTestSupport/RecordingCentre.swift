import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Log lines collected from the worker's threads.
public final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    public init() {}
    public func append(_ line: String) { lock.withLock { lines.append(line) } }
    public var all: [String] { lock.withLock { lines } }
}

/// A minimal HTTP/1.1 centre on 127.0.0.1: by default it answers command acknowledgements with
/// 200 `{}` and everything else with 503 (so the worker's other machines back off), recording
/// each request as "METHOD PATH BODY"; `answer` can say otherwise. `onRequest` runs after each.
public final class RecordingCentre: @unchecked Sendable {
    public typealias Answer = @Sendable (_ method: String, _ path: String, _ body: String) -> (status: Int, body: String)
    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [String] = []
    private let answer: Answer
    private let onRequest: @Sendable (String) -> Void
    public var requests: [String] { lock.withLock { recorded } }

    public static let acknowledgementsOnly: Answer = { _, path, _ in path.hasSuffix("/ack") ? (200, "{}") : (503, "{}") }

    public init(answer: @escaping Answer = RecordingCentre.acknowledgementsOnly, onRequest: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.answer = answer
        self.onRequest = onRequest
        (listener, port) = try Self.listen()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// A port nothing listens on (bound, then closed): connections to it are refused.
    public static func closedPort() throws -> Int {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    private static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound, Glibc.listen(fd, 8) == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var bodyLength = 0
        while headerEnd == nil || data.count < headerEnd! + bodyLength {
            let n = read(client, &buffer, buffer.count)
            guard n > 0 else { return }
            data += buffer[0..<n]
            if headerEnd == nil, let range = String(decoding: data, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: data, as: UTF8.self)[..<range.lowerBound]
                headerEnd = head.utf8.count + 4
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    bodyLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        let requestLine = text.prefix { $0 != "\r" }.split(separator: " ")
        let body = String(decoding: data[headerEnd!...], as: UTF8.self)
        let path = requestLine.count > 1 ? String(requestLine[1]) : ""
        let line = "\(requestLine.first ?? "") \(path) \(body)".trimmingCharacters(in: .whitespaces)
        lock.withLock { recorded.append(line) }
        let (status, answerBody) = answer(String(requestLine.first ?? ""), path, body)
        let reason = status == 200 ? "OK" : status == 204 ? "No Content" : "Service Unavailable"
        let reply = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(answerBody.utf8.count)\r\nConnection: close\r\n\r\n\(answerBody)"
        _ = reply.withCString { write(client, $0, strlen($0)) }
        onRequest(line)
    }
}
