#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line per event on stderr with a journald priority prefix (`<3>` error … `<7>` debug), so
/// `journalctl -p warning` works under systemd. Never pass secrets (PINs, tokens) here.
public enum Log {
    public enum Level: Int, Sendable { case error = 3, warning = 4, notice = 5, info = 6, debug = 7 }

    /// The least important level written (the daemon writes every level; `kiosk-sim`, which
    /// drives thousands of visits through the same code, only warnings and errors).
    public static var threshold: Level {
        get { Level(rawValue: thresholdValue.load(ordering: .relaxed)) ?? .debug }
        set { thresholdValue.store(newValue.rawValue, ordering: .relaxed) }
    }
    private static let thresholdValue = Atomic<Int>(Level.debug.rawValue)

    public static func write(_ level: Level, _ message: String) {
        guard level.rawValue <= thresholdValue.load(ordering: .relaxed) else { return }
        _ = try? Posix.writeAll(STDERR_FILENO, Array(lines(level, message).utf8))
    }

    public static func error(_ m: String) { write(.error, m) }
    public static func warning(_ m: String) { write(.warning, m) }
    public static func notice(_ m: String) { write(.notice, m) }
    public static func info(_ m: String) { write(.info, m) }

    /// The text written for one message: journald reads one record per line, so every line of a
    /// multi-line message gets the priority prefix; secrets are redacted, and control characters
    /// other than the newlines between lines are escaped (a last line of defence; text from
    /// outside the daemon is escaped whole with `escaped` before it gets here).
    public static func lines(_ level: Level, _ message: String) -> String {
        escape(redacted(message), keepingLines: true).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(level.rawValue)>\($0)\n" }.joined()
    }

    /// Text from outside the daemon (a control-socket client's request) as it may appear in a
    /// log line: every control character (NUL, ESC, CR, LF, DEL, the C1 codes), the Unicode line
    /// and paragraph separators and the bidirectional controls are written as `\u{1B}`, and `\`
    /// as `\\`, so a client can neither forge a log line nor move or recolour a terminal's
    /// cursor, and the escaped text still says exactly which bytes arrived. Use it wherever
    /// client-supplied text reaches the log.
    public static func escaped(_ text: some StringProtocol) -> String {
        escape(String(text), keepingLines: false)
    }

    /// The one escaping rule behind `escaped` (`keepingLines` false) and `lines` (true: newlines
    /// and tabs of the daemon's own multi-line messages stay, and so do backslashes, which
    /// `escaped` has already doubled in any client text inside).
    static func escape(_ text: String, keepingLines: Bool) -> String {
        func needsEscape(_ s: Unicode.Scalar) -> Bool {
            if keepingLines && (s == "\n" || s == "\t") { return false }
            switch s.value {
            case 0x5C: return !keepingLines
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !needsEscape(scalar) { out.append(scalar); continue }
            let code = scalar == "\\" ? "\\\\" : "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            out.append(contentsOf: code.unicodeScalars)
        }
        return String(out)
    }

    /// A last line of defence: values of keys that name secrets (`pin`, `pin-hash`, `token`,
    /// `password`, `secret`, `Authorization: Bearer`) are replaced by `***` before anything is
    /// written (`Redaction`).
    public static func redacted(_ message: String) -> String { Redaction.masked(message) }
}

/// Writes text to stdout without buffering surprises (`print` buffers; `fflush` is unavailable in Swift 6).
public func writeStdout(_ text: String) {
    _ = try? Posix.writeAll(STDOUT_FILENO, Array(text.utf8))
}
