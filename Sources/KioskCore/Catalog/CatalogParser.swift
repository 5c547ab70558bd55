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
        var source = Substring(text)
        if source.first == "\u{FEFF}" { source = source.dropFirst() }
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            func error(_ message: String) { errors.append(ConfigurationError(file: file, line: number, message: message)) }
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                error("expected 'key = text', found '\(Excerpt.of(line))'; write key = text, or comment the line out with #")
                continue
            }
            let key = line[..<eq].trimmingSpaces()
            var value = line[line.index(after: eq)...].trimmingSpaces()
            // "…" keeps leading or trailing spaces: list.separator = ", "
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
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
