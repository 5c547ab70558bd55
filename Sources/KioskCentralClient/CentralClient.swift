import CCurl
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskProtocol

/// The kiosk's HTTP client for kiosk-central (docs/openapi.yaml): blocking calls, meant for the
/// sync worker's own threads (and kiosk-central's admin command line). Kiosk-initiated; nothing
/// listens on the kiosk. Bodies and answers are KioskProtocol's Codable types, nothing else.
///
/// It speaks libcurl directly rather than through URLSession: on Linux, FoundationNetworking
/// always verifies TLS against the system CA store (its `URLSessionCertificateAuthorityInfoFile`
/// variable is read on Android only), so a private CA in `ca-file` could not be honoured.
public final class CentralClient: @unchecked Sendable {
    public let baseURL: String
    let token: String
    /// PEM file of the private CA that signed the centre's certificate; nil: the system store.
    let caFile: String?
    let requestTimeout: TimeInterval
    /// How the user of this program names its settings, for errors that say what to fix.
    let advice: Advice

    /// What an error tells the person to do: kioskd's operator edits kiosk.conf, IT at the admin
    /// command line passes options.
    public struct Advice: Sendable {
        /// The centre's URL setting as the person writes it: `central-url`, `--url`.
        public var urlSetting: String
        /// The CA setting's name as the person writes it: `ca-file`, `--ca-file`.
        public var caSetting: String
        /// Where to get the right CA file.
        public var obtain: String
        /// How to start using a private CA.
        public var configure: String
        /// What to check when the file cannot be loaded.
        public var checkPath: String

        public init(urlSetting: String, caSetting: String, obtain: String, configure: String, checkPath: String) {
            self.urlSetting = urlSetting
            self.caSetting = caSetting
            self.obtain = obtain
            self.configure = configure
            self.checkPath = checkPath
        }

        public static let kiosk = Advice(
            urlSetting: "central-url", caSetting: "ca-file", obtain: "ask IT for the CA file that signed the centre's certificate",
            configure: "copy its PEM file to the kiosk and set ca-file in [kiosk] of kiosk.conf",
            checkPath: "check the path in [kiosk] of kiosk.conf, that kioskd may read it, and that it holds PEM certificates")
    }

    public init(baseURL: String, token: String, caFile: String? = nil, requestTimeout: TimeInterval = 30, advice: Advice = .kiosk) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.caFile = caFile
        self.requestTimeout = requestTimeout
        self.advice = advice
        _ = Self.curlReady
    }

    /// curl_global_init is not thread-safe: run it once, before any thread makes a handle. This
    /// is also where libcurl is loaded (CCurl's shim opens it at first use: a kiosk without a
    /// centre never maps it).
    static let curlReady: Bool = kiosk_curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// With CURLOPT_NOSIGNAL libcurl does not shield the process from SIGPIPE, and a TLS write
    /// to a connection the centre closed would kill kioskd. Call on every thread that makes
    /// requests: the signal is blocked for this thread only (a write then fails with EPIPE), so
    /// the daemon's other threads and its child processes keep the default.
    public static func blockSIGPIPEOnThisThread() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Reads a token file (one line) and says what to do when it is missing or empty.
    public static func readToken(path: String) throws(SyncError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SyncError(.badSetting, "cannot read token-file \(path); ask IT for the kiosk's token (kiosk-central admin register --output FILE)")
        }
        let token = text.trimmingWhitespace()
        if token.isEmpty { throw SyncError(.badSetting, "token-file \(path) is empty; ask IT for the kiosk's token") }
        return token
    }

    /// `POST /v1/events`: everything up to the answer's `ackedSeq` is at the centre.
    public func upload(_ request: UploadRequest) throws(SyncError) -> UploadReply {
        try call("POST", "/v1/events", request, what: "an upload")
    }

    /// `POST /v1/heartbeat`; the answer names the kiosk's site as the centre knows it.
    @discardableResult
    public func heartbeat(_ heartbeat: Heartbeat) throws(SyncError) -> HeartbeatReply {
        try call("POST", "/v1/heartbeat", heartbeat, what: "a heartbeat")
    }

    /// `GET /v1/commands?wait=N`: long-poll for IT's commands.
    public func commands(wait: Int) throws(SyncError) -> [Command] {
        let reply: CommandsReply = try decode(
            try send("GET", "/v1/commands?wait=\(wait)", body: nil, timeout: TimeInterval(wait + 15)), what: "the centre's command list")
        return reply.commands
    }

    /// `GET /v1/sites/{site}/config?after=N`: nil when nothing newer is published.
    public func config(site: String, after version: Int) throws(SyncError) -> ConfigReply? {
        let path = "/v1/sites/\(Self.pathEncoded(site))/config?after=\(version)"
        let data = try send("GET", path, body: nil)
        if data.isEmpty { return nil }
        return try decode(data, what: "the centre's configuration")
    }

    /// `GET /v1/cases?after=N&limit=M`: the states of this kiosk's site's cases changed after
    /// change number `after`, oldest change first; ask again at once while `more` is set.
    public func fetchCases(after: Int64, limit: Int) throws(SyncError) -> CasesReply {
        try decode(try send("GET", "/v1/cases?after=\(max(0, after))&limit=\(min(max(1, limit), 500))", body: nil), what: "the centre's case states")
    }

    /// `POST /v1/contacts`: residents' call-back numbers; the answer lists those the centre keeps.
    /// The body is never logged (it holds full numbers).
    /// This kiosk's own events as the centre holds them, after `after` (`kioskctl restore --from-central`).
    public func fetchOwnEvents(after: Int64, limit: Int) throws(SyncError) -> OwnEventsReply {
        try decode(
            try send("GET", "/v1/events?after=\(max(0, after))&limit=\(min(max(1, limit), ProtocolLimits.maxEventsPerBatch))", body: nil),
            what: "this kiosk's events at the centre")
    }

    public func sendContacts(_ upload: ContactsUpload) throws(SyncError) -> ContactsReply {
        try call("POST", "/v1/contacts", upload, what: "the call-back numbers")
    }

    /// `POST /v1/commands/{id}/ack`: the command's outcome, so IT sees it in `admin commands`.
    public func acknowledge(command id: Int64, _ ack: CommandAckRequest) throws(SyncError) {
        _ = try send("POST", "/v1/commands/\(id)/ack", body: try encode(ack))
    }

    /// One JSON request and its JSON answer.
    func call<Body: Encodable, Reply: Decodable>(
        _ method: String, _ path: String, _ body: Body, what: String
    ) throws(SyncError) -> Reply {
        try decode(try send(method, path, body: try encode(body)), what: "the centre's answer to \(what)")
    }

    func encode(_ body: some Encodable) throws(SyncError) -> Data {
        do {
            return try WireEncoder().encode(body)
        } catch {
            throw SyncError(.badOutbox, "a request to the centre could not be encoded (\(error)); this is a kioskd bug, please report it", cause: .decoding("\(error)"))
        }
    }

    func decode<Reply: Decodable>(_ data: Data, what: String) throws(SyncError) -> Reply {
        do {
            return try JSONDecoder().decode(Reply.self, from: data)
        } catch {
            throw SyncError(
                .unreadableAnswer,
                "\(what) was not understood; check that \(advice.urlSetting) \(baseURL) is kiosk-central, not another web server",
                cause: .decoding("\(error)"))
        }
    }

    /// Answers larger than this are refused (the centre's biggest answer is a configuration).
    static let maxResponseBytes = 16 * 1024 * 1024

    /// One request; the answer's body for a 2xx status, otherwise the centre's error as a
    /// `SyncError` (5xx, 408 and 429 are transient, other refusals are not).
    func send(_ method: String, _ path: String, body: Data?, timeout: TimeInterval? = nil) throws(SyncError) -> Data {
        let (status, payload) = try exchange(method, path, body: body, timeout: timeout)
        if status == 204 { return Data() }
        if (200..<300).contains(status) { return payload }
        let reply = try? JSONDecoder().decode(ErrorReply.self, from: payload)
        let detail = reply.map { "\($0.message) (\($0.hint))" } ?? "HTTP \(status)"
        if status >= 500 || status == 429 || status == 408 {
            throw SyncError(.centreFailed, "the centre failed (\(status)): \(detail)", cause: .answer(status: status, reply: reply))
        }
        throw SyncError(.refused, "the centre refused (\(status)): \(detail)", cause: .answer(status: status, reply: reply))
    }

    /// One request on a fresh connection, with the bearer token; returns the HTTP status and body
    /// whatever the status (the admin command line reads error bodies itself). Throws only when no
    /// answer came: unreachable, TLS not trusted, timed out. When a connection dies before the
    /// answer, the sync worker simply retries the batch (the centre drops the duplicates).
    public func exchange(
        _ method: String, _ path: String, body: Data?, timeout: TimeInterval? = nil
    ) throws(SyncError) -> (status: Int, body: Data) {
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw SyncError(.badSetting, "\(advice.urlSetting) \(baseURL) is not an http(s) URL; write it as https://host[:port]")
        }
        guard Self.curlReady, let handle = kiosk_curl_easy_init() else {
            throw SyncError(.unreachable, "cannot start an HTTP request (libcurl.so.4 could not be loaded or did not initialise; stderr says which); install libcurl4 (apt install libcurl4)")
        }
        defer { kiosk_curl_easy_cleanup(handle) }
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = kiosk_curl_slist_append(headers, "Authorization: Bearer \(token)")
        headers = kiosk_curl_slist_append(headers, "Accept: application/json")
        headers = kiosk_curl_slist_append(headers, "Expect:")  // no 100-continue round trip
        if body != nil { headers = kiosk_curl_slist_append(headers, "Content-Type: application/json") }
        defer { kiosk_curl_slist_free_all(headers) }
        let response = ResponseBuffer()
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let limit = timeout ?? requestTimeout
        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errorBuffer in
            let context = Unmanaged.passUnretained(response).toOpaque()
            var setup = kiosk_curl_set_pointer(handle, CURLOPT_URL, baseURL + path)
            func set(_ option: CURLoption, _ value: Int) {
                if setup == CURLE_OK { setup = kiosk_curl_set_long(handle, option, value) }
            }
            func set(_ option: CURLoption, _ value: String?) {
                guard setup == CURLE_OK else { return }
                if let value { setup = kiosk_curl_set_pointer(handle, option, value) }
                else { setup = kiosk_curl_set_pointer(handle, option, nil) }
            }
            set(CURLOPT_PROTOCOLS_STR, "http,https")
            set(CURLOPT_NOSIGNAL, 1)
            set(CURLOPT_FORBID_REUSE, 1)
            set(CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            set(CURLOPT_TIMEOUT_MS, Int(limit * 1000))
            if let caFile {
                // Only the configured CA: the centre's certificate must chain to it.
                set(CURLOPT_CAINFO, caFile)
                set(CURLOPT_CAPATH, nil)
            }
            if setup == CURLE_OK { setup = kiosk_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers) }
            if setup == CURLE_OK { setup = kiosk_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress) }
            if setup == CURLE_OK { setup = kiosk_curl_set_write_callback(handle, ResponseBuffer.write, context) }
            guard setup == CURLE_OK else { return setup }
            if method == "POST" {
                // A trailing NUL keeps the buffer non-empty (an empty body still needs a pointer).
                let bytes = [UInt8](body ?? Data()) + [0]
                return bytes.withUnsafeBufferPointer { buffer in
                    set(CURLOPT_POST, 1)
                    if setup == CURLE_OK { setup = kiosk_curl_set_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buffer.count - 1)) }
                    // POSTFIELDS is not copied: `buffer` lives until curl_easy_perform returns.
                    if setup == CURLE_OK { setup = kiosk_curl_set_pointer(handle, CURLOPT_POSTFIELDS, buffer.baseAddress) }
                    guard setup == CURLE_OK else { return setup }
                    return kiosk_curl_easy_perform(handle)
                }
            }
            return kiosk_curl_easy_perform(handle)
        }
        if code != CURLE_OK {
            let text = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let detail = text.isEmpty ? kiosk_curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)" : text
            throw transportError(code, detail: detail)
        }
        return (Int(kiosk_curl_response_code(handle)), response.data)
    }

    /// What a failed transfer means for the operator. Certificate problems are not transient:
    /// retrying soon does not help, the kiosk's ca-file (or clock) must be fixed.
    func transportError(_ code: CURLcode, detail: String) -> SyncError {
        let cause = SyncError.Cause.transfer(code: Int(code.rawValue), detail: detail)
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            if let caFile {
                return SyncError(
                    .untrustedCertificate,
                    "the centre's certificate at \(baseURL) is not trusted with \(advice.caSetting) \(caFile) (\(detail)); \(advice.obtain) (or check this machine's clock if the certificate is not yet valid)",
                    cause: cause)
            }
            return SyncError(
                .untrustedCertificate,
                "the centre's certificate at \(baseURL) is not trusted by the system CA store (\(detail)); if the centre uses a private CA, \(advice.configure)",
                cause: cause)
        case CURLE_SSL_CACERT_BADFILE:
            return SyncError(
                .badSetting, "cannot load \(advice.caSetting) \(caFile ?? "(system store)") (\(detail)); \(advice.checkPath)", cause: cause)
        case CURLE_SSL_CONNECT_ERROR:
            return SyncError(
                .unreachable,
                "cannot reach the centre at \(baseURL): the TLS handshake failed (\(detail)); check that central-url points at the centre's HTTPS port",
                cause: cause)
        case CURLE_WRITE_ERROR:
            return SyncError(
                .unreadableAnswer,
                "the centre's answer from \(baseURL) was larger than \(Self.maxResponseBytes / 1024 / 1024) MiB and was dropped",
                cause: cause)
        default:
            return SyncError(.unreachable, "cannot reach the centre at \(baseURL): \(detail)", cause: cause)
        }
    }
}

/// The body of an answer, filled by libcurl's write callback.
final class ResponseBuffer {
    var data = Data()

    static let write: kiosk_curl_write_callback = { bytes, size, count, context in
        guard let context else { return 0 }
        let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
        let n = size * count
        if buffer.data.count + n > CentralClient.maxResponseBytes { return 0 }  // CURLE_WRITE_ERROR
        if let bytes, n > 0 { buffer.data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: n) }
        return n
    }
}

extension CentralClient {
    /// `text` percent-encoded for a URL path, as Foundation's `.urlPathAllowed` leaves it:
    /// letters, digits and `-._~!$&'()*+,;=:@/` stay, every other UTF-8 byte becomes %XX.
    static func pathEncoded(_ text: String) -> String {
        let kept = Set("-._~!$&'()*+,;=:@/".utf8)
        var out = ""
        for byte in text.utf8 {
            if Unicode.Scalar(byte).isASCIIAlphanumeric || kept.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
