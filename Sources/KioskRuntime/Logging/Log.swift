import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line per event on stderr with a journald priority prefix (`<3>` error … `<7>` debug), so
/// `journalctl -p warning` works under systemd. Never pass secrets (PINs, tokens) here.
public enum Log {
    public enum Level: Int, Sendable { case error = 3, warning = 4, notice = 5, info = 6, debug = 7 }

    public static func write(_ level: Level, _ message: String) {
        let bytes = Array("<\(level.rawValue)>\(message)\n".utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
            }
        }
    }

    public static func error(_ m: String) { write(.error, m) }
    public static func warning(_ m: String) { write(.warning, m) }
    public static func info(_ m: String) { write(.info, m) }
}

/// Writes text to stdout without buffering surprises (`print` buffers; `fflush` is unavailable in Swift 6).
public func writeStdout(_ text: String) {
    let bytes = Array(text.utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
    }
}
