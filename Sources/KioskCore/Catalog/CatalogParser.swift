#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Reads a message catalog: UTF-8 lines `key = text`, `#` comments, blank lines ignored; LF or
/// CRLF line ends (as `kiosk.conf`). `{name}` placeholders are filled at display time; each must
/// be one the message is given (`MessagePlaceholders`), so a typo is refused with its line.
public enum CatalogParser {
    public static func parse(_ text: String, language: Language, file: String) -> Result<Catalog, ConfigurationErrors> {
        var entries: [String: String] = [:]
        var errors: [ConfigurationError] = []
        for (index, raw) in lines(of: text).enumerated() {
            let number = index + 1
            func error(_ message: String) { errors.append(ConfigurationError(file: file, line: number, message: message)) }
            let line = trimmed(raw)
            if line.isEmpty || line.utf8.first == UInt8(ascii: "#") { continue }
            guard let eq = line.utf8.firstIndex(of: UInt8(ascii: "=")) else {
                error("expected 'key = text', found '\(Excerpt.of(line))'; write key = text, or comment the line out with #")
                continue
            }
            let key = String(trimmed(line[..<eq]))
            var value = String(trimmed(line[line.index(after: eq)...]))
            // "…" keeps leading or trailing spaces: list.separator = ", "
            if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if key.isEmpty {
                error("missing key before '='; write key = text")
            } else if entries[key] != nil {
                error("'\(Excerpt.of(key))' is defined twice; keep one")
            } else {
                entries[key] = value
                let given = MessagePlaceholders.given(to: key)
                for name in MessagePlaceholders.written(in: value) where !given.contains(name) {
                    let allowed = given.isEmpty
                        ? "this message is given no placeholders, remove the braces"
                        : "this message is given " + given.sorted().map { "{\($0)}" }.joined(separator: ", ")
                    var message = "unknown placeholder {\(Excerpt.of(name))} in '\(Excerpt.of(key))'"
                    if let s = ConfigurationLexer.suggestion(for: name, among: given.sorted()) { message += " (did you mean {\(s)}?)" }
                    error(message + "; \(allowed)")
                }
            }
        }
        return errors.isEmpty ? .success(Catalog(language: language, entries: entries)) : .failure(ConfigurationErrors(errors: errors))
    }

    /// `text` without leading and trailing spaces and tabs, as `trimmingSpaces()`, but on the
    /// UTF-8 bytes of the substring and without copying it: the generic, scalar by scalar
    /// trimming of every line was a quarter of loading both catalogs at start. An end that is
    /// not ASCII may be a Unicode space, and is left to `trimmingSpaces()`.
    static func trimmed(_ text: Substring) -> Substring {
        let bytes = text.utf8
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { bytes.formIndex(after: &start) }
        while start < end {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        guard start < end else { return text[start..<start] }
        if bytes[start] >= 0x80 || bytes[bytes.index(before: end)] >= 0x80 { return Substring(text[start..<end].trimmingSpaces()) }
        return text[start..<end]
    }

    /// The lines of `text` (after a byte-order mark), ended by LF, CRLF or CR, found in its UTF-8
    /// bytes: splitting by Character segmented every grapheme of both catalogs, a fifth of the
    /// first frame's instructions.
    static func lines(of text: String) -> [Substring] {
        var source = Substring(text)
        if source.utf8.starts(with: [0xEF, 0xBB, 0xBF]) { source = source.dropFirst() }
        var lines: [Substring] = []
        let bytes = source.utf8
        var start = bytes.startIndex, i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            guard b == 0x0A || b == 0x0D else { bytes.formIndex(after: &i); continue }
            lines.append(source[start..<i])
            bytes.formIndex(after: &i)
            if b == 0x0D, i < bytes.endIndex, bytes[i] == 0x0A { bytes.formIndex(after: &i) }
            start = i
        }
        lines.append(source[start..<bytes.endIndex])
        return lines
    }

    /// Loads `<directory>/<language>.catalog` for every language. A line that is not UTF-8 is
    /// named with its number.
    public static func loadAll(directory: String) -> Result<Catalogs, ConfigurationErrors> {
        var catalogs: [Catalog] = []
        var errors: [ConfigurationError] = []
        for language in Language.allCases {
            let path = directory + "/" + language.rawValue + ".catalog"
            guard FileManager.default.fileExists(atPath: path) else {
                errors.append(ConfigurationError(file: path, line: 0, message: "the message catalog is missing; check the path (--assets DIR) or copy it from Kiosk/messages"))
                continue
            }
            switch ConfigurationLexer.read(path: path).flatMap({ ConfigurationLexer.decodeUTF8($0, file: path) }) {
            case .failure(let e): errors += e.errors
            case .success(let text):
                switch parse(text, language: language, file: path) {
                case .success(let c): catalogs.append(c)
                case .failure(let e): errors += e.errors
                }
            }
        }
        return errors.isEmpty ? .success(Catalogs(catalogs)) : .failure(ConfigurationErrors(errors: errors))
    }

    /// Keys present in one catalog and missing in another, as errors naming the file to fix.
    public static func compare(_ catalogs: Catalogs, directory: String) -> [ConfigurationError] {
        let reference = catalogs[.chinese]
        var errors: [ConfigurationError] = []
        for language in Language.allCases where language != .chinese {
            let other = catalogs[language]
            for key in reference.entries.keys.sorted() where other.entries[key] == nil {
                errors.append(ConfigurationError(file: "\(directory)/\(language.rawValue).catalog", line: 0,
                                                 message: "missing '\(Excerpt.of(key))' (present in zh-Hans.catalog); add a translation"))
            }
        }
        return errors
    }
}
