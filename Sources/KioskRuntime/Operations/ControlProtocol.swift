#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
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
    /// The picture a station shows now, as the running daemon has it (`kioskctl screenshot`).
    /// `station`: a `[station NAME]`, `lobby`, `counter N` or `board`; `size`: nil for the
    /// station's own display size.
    case screenshot(station: String, size: PictureSize?)

    /// A picture size asked for (`--size WxH`), within what a screenshot may be.
    public struct PictureSize: Equatable, Sendable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
        /// Sides from 64 to 8192 pixels: the largest panel and then some, not a memory bomb.
        public static let sides = 64...8192

        /// `1920x1080` → a size, nil when malformed or out of range.
        public init?(_ text: String) {
            let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2, let w = parts[0], let h = parts[1], Self.sides.contains(w), Self.sides.contains(h) else { return nil }
            self.init(width: w, height: h)
        }
    }

    /// Longest station name a screenshot request may carry.
    public static let maximumStationName = 100

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
        case .screenshot(let station, let size): return "screenshot \(station)" + (size.map { " --size \($0.width)x\($0.height)" } ?? "")
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
        // Split on separator scalars, not Characters: a space before a combining mark is one
        // Character with it, so a station's word that began with one (`screenshot\t\u{349}x`)
        // would glue to the verb when kioskctl joins the words with spaces (found by fuzzing).
        let words = line.unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .map { String(String.UnicodeScalarView($0)) }
        func fail(_ m: String) -> Result<ControlRequest, ParseError> { .failure(ParseError(description: m)) }
        guard let verb = words.first else { return fail("empty request; commands: \(commands)") }
        if verb == "screenshot" { return parseScreenshot(Array(words.dropFirst())) }
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
            return fail("unknown request '\(Excerpt.of(verb, limit: 40))'; commands: \(commands)")
        }
    }

    static let commands = "ping, counter open|pause|close N, sync, reload, weather W, screenshot STATION [--size WxH]"

    /// `screenshot STATION… [--size WxH]`: the station's words joined by one space (a
    /// `[station NAME]` may have spaces; "counter 2" is two words).
    static func parseScreenshot(_ words: [String]) -> Result<ControlRequest, ParseError> {
        var words = words
        var size: PictureSize?
        if let i = words.firstIndex(of: "--size") {
            guard i == words.count - 2, let s = PictureSize(words[i + 1]) else {
                return .failure(ParseError(description: "screenshot: --size needs WIDTHxHEIGHT at the end, each side 64 to 8192, e.g. screenshot lobby --size 1920x1080"))
            }
            size = s
            words.removeLast(2)
        }
        let station = words.joined(separator: " ")
        guard !station.isEmpty else { return .failure(ParseError(description: "usage: screenshot STATION [--size WxH]; STATION is a [station NAME], lobby, counter N or board")) }
        guard station.count <= maximumStationName, station.unicodeScalars.allSatisfy({ !(0...0x1F).contains($0.value) && !(0x7F...0x9F).contains($0.value) }) else {
            return .failure(ParseError(description: "screenshot: '\(Excerpt.of(station, limit: 40))' is not a station name (printable, at most \(maximumStationName) characters)"))
        }
        return .success(.screenshot(station: station, size: size))
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
