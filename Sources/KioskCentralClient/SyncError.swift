import KioskProtocol

/// A sync failure as the operator reads it (`kioskctl status`, the log, the heartbeat's last
/// error): a stable code, one message that says what went wrong and what to do, and the
/// underlying cause (libcurl's error or the centre's answer) kept apart for the log and for code.
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// No answer: connection refused, DNS, timeout, the TLS handshake failed. Retried soon.
        case unreachable
        /// The centre answered 5xx, 408 or 429. Retried soon.
        case centreFailed
        /// The centre's answer was not the JSON the protocol promises (or too large). Retried soon.
        case unreadableAnswer
        /// The centre answered another 4xx (revoked token, conflicting seq…). Retried slowly.
        case refused
        /// The centre's certificate does not chain to the trusted CA. Retried slowly.
        case untrustedCertificate
        /// A setting cannot serve: `ca-file` unreadable, `central-url` not http(s), `token-file`
        /// missing or empty. Retried slowly.
        case badSetting
        /// A request could not be encoded (a kioskd bug). Retried slowly.
        case badOutbox
    }

    /// What lies underneath, when something does.
    public enum Cause: Equatable, Sendable {
        /// libcurl's result code and error text.
        case transfer(code: Int, detail: String)
        /// The centre's HTTP status and its error body, when it sent one.
        case answer(status: Int, reply: ErrorReply?)
        /// Why the answer or a stored record could not be decoded.
        case decoding(String)
    }

    public var code: Code
    /// What went wrong and what to do, in one sentence for the operator.
    public var message: String
    public var cause: Cause?

    public init(_ code: Code, _ message: String, cause: Cause? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Worth retrying soon (with backoff); otherwise a person must change something first.
    public var isTransient: Bool {
        switch code {
        case .unreachable, .centreFailed, .unreadableAnswer: true
        case .refused, .untrustedCertificate, .badSetting, .badOutbox: false
        }
    }

    /// The centre refused a batch because it holds some of its seqs with other content (409
    /// `seq-conflict`): this kiosk's log may not be the one the centre knows.
    public var isSeqConflict: Bool {
        if case .answer(409, let reply) = cause { return reply?.error == "seq-conflict" }
        return false
    }

    public var description: String { message }
}
