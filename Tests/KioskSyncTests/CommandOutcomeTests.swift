import Foundation
import KioskStorage
import KioskSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of an IT command reaches the centre even when the centre was down at the time and
/// the kiosk restarted meanwhile; a failed heartbeat shows as the kiosk's last error.
@Suite("Command outcomes and heartbeats while the centre is down")
struct CommandOutcomeTests {
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-outcome-tests-\(UUID().uuidString)")
        var store: String { url.appendingPathComponent("kiosk.sqlite").path }
        var token: String { url.appendingPathComponent("token").path }
        init() throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try "kiosk-token\n".write(toFile: token, atomically: true, encoding: .utf8)
            try EventStore(path: store).close()
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// The workers' time: it moves only when a test says so.
    let clock = VirtualClock(Date(timeIntervalSince1970: 1_795_000_000))

    func worker(_ folder: Folder, url: String, logs: LogLines = LogLines()) -> SyncWorker {
        SyncWorker(
            storePath: folder.store,
            options: .init(centralURL: url, tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: 1),
            log: { logs.append($0) }, clock: clock.clock())
    }

    /// Lets `worker` do everything that is due now (on this thread, no sleeping), then checks.
    func eventually(_ worker: SyncWorker, _ condition: () throws -> Bool) rethrows -> Bool {
        worker.runUntilIdle()
        return try condition()
    }

    func unreported(_ folder: Folder) throws -> [CommandOutcome] {
        let store = try EventStore(path: folder.store)
        defer { store.close() }
        return try store.unreportedCommandOutcomes()
    }

    @Test func anOutcomeReachedWhileTheCentreIsDownIsReportedAfterARestart() throws {
        let folder = try Folder()
        let down = worker(folder, url: "http://127.0.0.1:\(try RecordingCentre.closedPort())")
        down.acknowledge(command: 7, ok: true, message: "weather is rain")
        down.acknowledge(command: 8, ok: false, message: "configuration version 2 refused")
        // Stored before anything is sent; still there after the failed attempt and a stop.
        #expect(try unreported(folder).map(\.commandID) == [7, 8])
        down.runUntilIdle()  // tries to send them and fails
        down.stop()
        #expect(try unreported(folder).map { "\($0.commandID) \($0.ok) \($0.message)" } == [
            "7 true weather is rain", "8 false configuration version 2 refused",
        ])

        // The kiosk starts again and the centre is back: the outcomes go out without any new command.
        let centre = try RecordingCentre()
        let up = worker(folder, url: "http://127.0.0.1:\(centre.port)")
        defer { up.stop() }
        #expect(eventually(up) { centre.requests.filter { $0.hasPrefix("POST /v1/commands/") }.count == 2 })
        let acks = centre.requests.filter { $0.hasPrefix("POST /v1/commands/") }
        #expect(acks == [
            #"POST /v1/commands/7/ack {"result":"done","message":"weather is rain"}"#,
            #"POST /v1/commands/8/ack {"result":"failed","message":"configuration version 2 refused"}"#,
        ])
        #expect(try eventually(up) { try unreported(folder).isEmpty }, "reported outcomes are forgotten")
    }

    @Test func aFailedHeartbeatIsTheLastErrorStatusShows() throws {
        let folder = try Folder()
        let port = try RecordingCentre.closedPort()
        let down = worker(folder, url: "http://127.0.0.1:\(port)")
        defer { down.stop() }
        let lastError = {
            let store = try EventStore(readOnlyPath: folder.store)
            defer { store.close() }
            return try store.syncState().lastError ?? ""
        }
        #expect(try eventually(down) { try lastError().hasPrefix("heartbeat: ") })
        #expect(try lastError() .contains("cannot reach the centre at http://127.0.0.1:\(port)"))
    }
}

/// Log lines collected from the worker's threads.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// A minimal HTTP/1.1 centre on 127.0.0.1: by default it answers command acknowledgements with
/// 200 `{}` and everything else with 503 (so the worker's other machines back off), recording
/// each request as "METHOD PATH BODY"; `answer` can say otherwise. `onRequest` runs after each.
final class RecordingCentre: @unchecked Sendable {
    typealias Answer = @Sendable (_ method: String, _ path: String, _ body: String) -> (status: Int, body: String)
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [String] = []
    private let answer: Answer
    private let onRequest: @Sendable (String) -> Void
    var requests: [String] { lock.withLock { recorded } }

    static let acknowledgementsOnly: Answer = { _, path, _ in path.hasSuffix("/ack") ? (200, "{}") : (503, "{}") }

    init(answer: @escaping Answer = RecordingCentre.acknowledgementsOnly, onRequest: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.answer = answer
        self.onRequest = onRequest
        (listener, port) = try Self.listen()
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    /// A port nothing listens on (bound, then closed): connections to it are refused.
    static func closedPort() throws -> Int {
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
