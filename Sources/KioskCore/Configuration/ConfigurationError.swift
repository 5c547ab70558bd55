#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One problem in a configuration file, printed like a compiler diagnostic:
/// `kiosk.conf:12: unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)`.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Whether the problem stops the kiosk (an error) or only needs attention (a warning, e.g. a
    /// PIN hash in the old form, which still logs in).
    public enum Severity: Sendable, Equatable { case error, warning }

    /// The file as named to the parser (the path given to `load`).
    public var file: String
    /// 1-based line number; 0 when the problem concerns the file as a whole (a missing file, a
    /// service no counter serves when the services come from the defaults, …).
    public var line: Int
    /// What is wrong and what to do about it.
    public var message: String
    public var severity: Severity

    public init(file: String, line: Int, message: String, severity: Severity = .error) {
        self.file = file; self.line = line; self.message = message; self.severity = severity
    }

    /// `file:line: message`, with `warning: ` before the message of a warning.
    public var description: String {
        let text = severity == .warning ? "warning: \(message)" : message
        return line > 0 ? "\(file):\(line): \(text)" : "\(file): \(text)"
    }
}

/// Every problem found in a configuration file (parsing never stops at the first one).
public struct ConfigurationErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]
    public init(_ errors: [ConfigurationError]) { self.errors = errors }
    public init(errors: [ConfigurationError]) { self.errors = errors }
    /// One diagnostic per line, in file order.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The INI-like syntax shared by `kiosk.conf` and `keymap.conf`: sections in brackets,
/// `key = value` lines, `#`/`;` comments (whole-line, or trailing after whitespace).
enum ConfigurationLexer {
    enum Content: Equatable {
        /// `[kind argument]`; `argument` is nil for `[kind]`.
        case section(kind: String, argument: String?)
        case entry(key: String, value: String)
        /// A line starting with `[` that has no closing `]`.
        case unclosedSection(String)
        /// `= value` with nothing before the `=`.
        case missingKey(String)
        /// Neither a section nor `key = value`.
        case other(String)
    }

    struct Line: Equatable {
        var number: Int
        var content: Content
    }

    /// The meaningful lines of `text` (blank and comment-only lines dropped), numbered from 1.
    static func lines(_ text: String) -> [Line] {
        var source = Substring(text)
        if source.first == "\u{FEFF}" { source = source.dropFirst() }
        let rawLines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        var result: [Line] = []
        for (index, raw) in rawLines.enumerated() {
            let line = trim(stripComment(raw))
            if line.isEmpty { continue }
            result.append(Line(number: index + 1, content: classify(line)))
        }
        return result
    }

    /// `line` without a comment: `#` or `;` at the start or after whitespace begins one.
    static func stripComment(_ line: Substring) -> Substring {
        var previousIsSpace = true
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if (c == "#" || c == ";") && previousIsSpace { return line[line.startIndex..<index] }
            previousIsSpace = c.isWhitespace
            index = line.index(after: index)
        }
        return line
    }

    /// `s` without whitespace at either end (from its first to its last other character: the
    /// reversed copies this once made were an eighth of kioskd's start).
    static func trim(_ s: Substring) -> String {
        guard let first = s.firstIndex(where: { !$0.isWhitespace }), let last = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(s[first...last])
    }

    static func classify(_ line: String) -> Content {
        if line.hasPrefix("[") {
            if line.hasSuffix("]") && line.count >= 2 {
                let inner = trim(line.dropFirst().dropLast())
                if let space = inner.firstIndex(where: { $0.isWhitespace }) {
                    let argument = trim(inner[space...])
                    return .section(kind: String(inner[..<space]), argument: argument.isEmpty ? nil : argument)
                }
                return .section(kind: inner, argument: nil)
            }
            if !line.contains("=") { return .unclosedSection(line) }
        }
        guard let equals = line.firstIndex(of: "=") else { return .other(line) }
        let key = trim(line[..<equals])
        let value = trim(line[line.index(after: equals)...])
        if key.isEmpty { return .missingKey(line) }
        return .entry(key: key, value: value)
    }

    /// Suggestions allow this many edits.
    static let suggestionDistance = 2

    /// The closest of `candidates` to `word` within edit distance 2 (case-insensitive), if any.
    ///
    /// The distance costs the product of the two lengths, so a candidate whose length differs by
    /// more than 2 (it can never be within 2 edits) is skipped before it is computed: a 140 KB
    /// key once took 15 s of debug-build time to be refused, one full table per known key.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let longest = candidates.lazy.map(\.count).max() ?? 0
        guard word.utf8.count <= 4 * (longest + suggestionDistance) else { return nil }  // cheap bound before counting characters
        let target = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let other = Array(candidate.lowercased())
            guard abs(other.count - target.count) <= suggestionDistance else { continue }
            let d = editDistance(target, other)
            guard d <= suggestionDistance, d < max(target.count, 1) || d == 0 else { continue }
            if best == nil || d < best!.distance { best = (candidate, d) }
        }
        return best?.candidate
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Lines named one by one in `decodeUTF8`'s errors; the rest are counted.
    static let maximumEncodingErrors = 10

    /// `text` if it is valid UTF-8, else the errors naming each line that is not.
    static func decodeUTF8(_ bytes: [UInt8], file: String) -> Result<String, ConfigurationErrors> {
        // Validated once, in the standard library's fast path: decoding (which repairs invalid
        // sequences with U+FFFD) and comparing the bytes back cost a sixth of loading both
        // message catalogs at start.
        func valid<C: Collection<UInt8>>(_ bytes: C) -> Bool { String(validating: bytes, as: UTF8.self) != nil }
        if let text = String(validating: bytes, as: UTF8.self) { return .success(text) }
        var errors: [ConfigurationError] = []
        var more = 0
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !valid(line) {
            // A whole file in GB18030 would give one error per line: the first few say enough.
            guard errors.count < maximumEncodingErrors else { more += 1; continue }
            errors.append(ConfigurationError(file: file, line: index + 1,
                message: "this line is not valid UTF-8; save the file as UTF-8 (not GBK, GB18030 or another encoding)"))
        }
        if more > 0 {
            errors.append(ConfigurationError(file: file, line: 0,
                message: "\(more) more line\(more == 1 ? " is" : "s are") not valid UTF-8; save the whole file as UTF-8"))
        }
        return .failure(ConfigurationErrors(errors))
    }

    /// The bytes of the file at `path`, or an error naming the path.
    static func read(path: String) -> Result<[UInt8], ConfigurationErrors> {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ConfigurationErrors([ConfigurationError(file: path, line: 0,
                message: "file '\(path)' does not exist; create it (Kiosk/kiosk.conf and Kiosk/keymap.conf are commented examples) or give the right path")]))
        }
        if isDirectory {
            return .failure(ConfigurationErrors([ConfigurationError(file: path, line: 0,
                message: "'\(path)' is a directory, not a file; give the path of the file itself")]))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ConfigurationErrors([ConfigurationError(file: path, line: 0,
                message: "file '\(path)' cannot be read; check its permissions (the daemon's user needs read access)")]))
        }
        return .success([UInt8](data))
    }
}

/// "Did you mean …?" for checks made outside this module (catalog keys named by kiosk.conf).
public enum Suggestion {
    /// The closest of `candidates` to `word` within 2 edits (case-insensitive), if any.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        ConfigurationLexer.suggestion(for: word, among: candidates)
    }
}
