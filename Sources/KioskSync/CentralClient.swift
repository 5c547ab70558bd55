import Foundation
import KioskStorage

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The kiosk's HTTP client for kiosk-central (docs/openapi.yaml): blocking calls, meant for the
/// sync worker's own thread only. Kiosk-initiated; nothing listens on the kiosk.
public final class CentralClient: @unchecked Sendable {
    public let baseURL: String
    let token: String
    let session: URLSession

    public struct Acknowledgement: Equatable, Sendable {
        public var ackedSeq: Int64
        public var serverTime: String
    }

    public struct Command: Equatable, Sendable {
        public var id: Int64
        public var type: String
        public var argument: String?
    }

    public struct PublishedConfig: Equatable, Sendable {
        public var version: Int
        public var body: String
    }

    public init(baseURL: String, token: String, requestTimeout: TimeInterval = 30) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = requestTimeout
        config.timeoutIntervalForResource = requestTimeout + 5
        session = URLSession(configuration: config)
    }

    /// Reads a token file (one line) and says what to do when it is missing or empty.
    public static func readToken(path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SyncError.refused("cannot read token-file \(path); ask IT for the kiosk's token (kiosk-central admin register --output FILE)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty { throw SyncError.refused("token-file \(path) is empty; ask IT for the kiosk's token") }
        return token
    }

    /// `POST /v1/events`. The payloads are the stored JSON texts, spliced in unchanged.
    public func upload(kiosk: String, events: [OutboxEvent], sentAt: String) throws -> Acknowledgement {
        var body = "{\"kiosk\":\(jsonString(kiosk)),\"sentAt\":\(jsonString(sentAt)),\"events\":["
        for (i, e) in events.enumerated() {
            if i > 0 { body += "," }
            body += "{\"seq\":\(e.seq),\"type\":\(jsonString(e.type)),\"deviceTime\":\(jsonString(e.deviceTime)),\"payload\":\(e.payload)}"
        }
        body += "]}"
        let data = try send("POST", "/v1/events", body: Data(body.utf8))
        struct Reply: Decodable { var ackedSeq: Int64; var serverTime: String }
        guard let r = try? JSONDecoder().decode(Reply.self, from: data) else {
            throw SyncError.transient("the centre's answer to an upload was not understood")
        }
        return Acknowledgement(ackedSeq: r.ackedSeq, serverTime: r.serverTime)
    }

    /// `POST /v1/heartbeat`; returns the kiosk's site as the centre knows it.
    @discardableResult
    public func heartbeat(_ fields: [String: Any]) throws -> String? {
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        let reply = try send("POST", "/v1/heartbeat", body: data)
        struct Reply: Decodable { var site: String? }
        return (try? JSONDecoder().decode(Reply.self, from: reply))?.site
    }

    /// `GET /v1/commands?wait=N`: long-poll for IT's commands.
    public func commands(wait: Int) throws -> [Command] {
        let data = try send("GET", "/v1/commands?wait=\(wait)", body: nil, timeout: TimeInterval(wait + 15))
        struct C: Decodable { var id: Int64; var type: String; var argument: String? }
        struct Reply: Decodable { var commands: [C] }
        guard let r = try? JSONDecoder().decode(Reply.self, from: data) else {
            throw SyncError.transient("the centre's command list was not understood")
        }
        return r.commands.map { Command(id: $0.id, type: $0.type, argument: $0.argument) }
    }

    /// `GET /v1/sites/{site}/config?after=N`: nil when nothing newer is published.
    public func config(site: String, after version: Int) throws -> PublishedConfig? {
        let path = "/v1/sites/\(site.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? site)/config?after=\(version)"
        let data = try send("GET", path, body: nil)
        if data.isEmpty { return nil }
        struct Reply: Decodable { var version: Int; var body: String }
        guard let r = try? JSONDecoder().decode(Reply.self, from: data) else {
            throw SyncError.transient("the centre's configuration was not understood")
        }
        return PublishedConfig(version: r.version, body: r.body)
    }

    func send(_ method: String, _ path: String, body: Data?, timeout: TimeInterval? = nil) throws -> Data {
        guard let url = URL(string: baseURL + path) else {
            throw SyncError.refused("central-url \(baseURL) is not a valid URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let timeout { request.timeoutInterval = timeout }
        // One connection per request: when a reused connection dies before the answer, libcurl
        // retries on its own but cannot rewind URLSession's body, and the request hangs until its
        // timeout. A fresh connection fails at once instead, and the worker retries the batch.
        request.setValue("close", forHTTPHeaderField: "Connection")
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, status, error) = box.get()
        if let error {
            throw SyncError.transient("cannot reach the centre at \(baseURL): \(error.localizedDescription)")
        }
        guard let status else { throw SyncError.transient("no answer from the centre") }
        let payload = data ?? Data()
        if status == 204 { return Data() }
        if (200..<300).contains(status) { return payload }
        struct ErrorReply: Decodable { var error: String; var message: String; var hint: String }
        let detail = (try? JSONDecoder().decode(ErrorReply.self, from: payload)).map { "\($0.message) (\($0.hint))" }
            ?? "HTTP \(status)"
        if status >= 500 || status == 429 || status == 408 {
            throw SyncError.transient("the centre failed (\(status)): \(detail)")
        }
        throw SyncError.refused("the centre refused (\(status)): \(detail)")
    }
}

/// A sync failure as the operator reads it.
public enum SyncError: Error, Equatable, CustomStringConvertible {
    case transient(String)
    case refused(String)
    public var description: String {
        switch self {
        case .transient(let m), .refused(let m): return m
        }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var status: Int?
    private var error: Error?
    func set(data: Data?, status: Int?, error: Error?) {
        lock.lock()
        self.data = data
        self.status = status
        self.error = error
        lock.unlock()
    }
    func get() -> (Data?, Int?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, status, error)
    }
}

func jsonString(_ s: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [s], options: [])) ?? Data("[\"\"]".utf8)
    let text = String(decoding: data, as: UTF8.self)
    return String(text.dropFirst().dropLast())
}
