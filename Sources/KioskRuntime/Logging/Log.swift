import Foundation
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
    /// multi-line message gets the priority prefix; secrets are redacted.
    public static func lines(_ level: Level, _ message: String) -> String {
        redacted(message).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(level.rawValue)>\($0)\n" }.joined()
    }

    /// A last line of defence: values of keys that name secrets (`pin`, `pin-hash`, `token`,
    /// `password`, `Authorization: Bearer`) are replaced by `***` before anything is written.
    public static func redacted(_ message: String) -> String {
        message
            .replacingOccurrences(of: #"(?i)\b(pin|pin-hash|token|password|secret)(\s*[=:]\s*)("[^"]*"|[^\s,;]+)"#,
                                  with: "$1$2***", options: .regularExpression)
            .replacingOccurrences(of: #"(?i)\b(bearer\s+)[^\s,;]+"#, with: "$1***", options: .regularExpression)
    }
}

/// Writes text to stdout without buffering surprises (`print` buffers; `fflush` is unavailable in Swift 6).
public func writeStdout(_ text: String) {
    _ = try? Posix.writeAll(STDOUT_FILENO, Array(text.utf8))
}
