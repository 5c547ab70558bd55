import Foundation
import KioskCore

/// What an operator asks the running daemon over the control socket. The wire form is one line
/// of words (`counter pause 2\n`); the answer is `ok` or `error` on the first line, then text.
/// Parsing is pure and total: any byte string gives a request or an error, never a crash.
public enum ControlRequest: Equatable, Sendable {
    /// Daemon facts for `kioskctl status`: pid, uptime, configuration, state folder.
    case ping
    case counter(CounterCommand, Int)
    case sync
    case reload
    case weather(Weather)

    /// Longest request line accepted; anything longer is refused.
    public static let maximumLength = 4096

    /// The request as sent on the wire (without the newline).
    public var line: String {
        switch self {
        case .ping: return "ping"
        case .counter(let c, let n): return "counter \(c.rawValue) \(n)"
        case .sync: return "sync"
        case .reload: return "reload"
        case .weather(let w): return "weather \(w.rawValue)"
        }
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ bytes: [UInt8]) -> Result<ControlRequest, ParseError> {
        guard bytes.count <= maximumLength else { return .failure(ParseError(description: "request longer than \(maximumLength) bytes")) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(ParseError(description: "request is not UTF-8 text")) }
        return parse(text)
    }

    public static func parse(_ line: String) -> Result<ControlRequest, ParseError> {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
        func fail(_ m: String) -> Result<ControlRequest, ParseError> { .failure(ParseError(description: m)) }
        guard let verb = words.first else { return fail("empty request; commands: ping, counter open|pause|close N, sync, reload, weather W") }
        switch (verb, words.count) {
        case ("ping", 1): return .success(.ping)
        case ("sync", 1): return .success(.sync)
        case ("reload", 1): return .success(.reload)
        case ("weather", 2):
            guard let w = Weather(rawValue: words[1]) else {
                return fail("weather '\(Excerpt.of(words[1], limit: 40))': use one of \(Weather.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .success(.weather(w))
        case ("counter", 3):
            guard let c = CounterCommand(rawValue: words[1]) else { return fail("counter '\(Excerpt.of(words[1], limit: 40))': use open, pause or close") }
            guard let n = Int(words[2]), n > 0, n < 1000 else { return fail("counter \(words[1]) '\(Excerpt.of(words[2], limit: 40))': give the counter number, e.g. counter \(words[1]) 2") }
            return .success(.counter(c, n))
        case ("weather", _): return fail("usage: weather rain|clear|hot|cold")
        case ("counter", _): return fail("usage: counter open|pause|close N")
        case ("ping", _), ("sync", _), ("reload", _): return fail("'\(verb)' takes no arguments")
        default:
            return fail("unknown request '\(Excerpt.of(verb, limit: 40))'; commands: ping, counter open|pause|close N, sync, reload, weather W")
        }
    }
}

/// The daemon's answer to one request.
public struct ControlResponse: Equatable, Sendable {
    public var ok: Bool
    public var text: String

    public init(ok: Bool, _ text: String) { self.ok = ok; self.text = text }
    public static func ok(_ text: String) -> ControlResponse { ControlResponse(ok: true, text) }
    public static func error(_ text: String) -> ControlResponse { ControlResponse(ok: false, text) }

    /// `ok\n<text>` or `error\n<text>`.
    public var bytes: [UInt8] { Array(((ok ? "ok\n" : "error\n") + text + (text.hasSuffix("\n") || text.isEmpty ? "" : "\n")).utf8) }

    public static func parse(_ bytes: [UInt8]) -> ControlResponse? {
        guard let text = String(validating: bytes, as: UTF8.self), let newline = text.firstIndex(of: "\n") else { return nil }
        let status = text[..<newline]
        let body = String(text[text.index(after: newline)...])
        switch status {
        case "ok": return .ok(body)
        case "error": return .error(body)
        default: return nil
        }
    }
}
