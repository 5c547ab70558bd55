import Foundation

/// Reads a message catalog: UTF-8 lines `key = text`, `#` comments, blank lines ignored.
/// `{name}` placeholders are filled at display time.
public enum CatalogParser {
    public static func parse(_ text: String, language: Language, file: String) -> Result<Catalog, ConfigurationErrors> {
        var entries: [String: String] = [:]
        var errors: [ConfigurationError] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                errors.append(ConfigurationError(file: file, line: index + 1, message: "expected 'key = text', found '\(line)'"))
                continue
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // "…" keeps leading or trailing spaces: list.separator = ", "
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if key.isEmpty {
                errors.append(ConfigurationError(file: file, line: index + 1, message: "missing key before '='"))
            } else if entries[key] != nil {
                errors.append(ConfigurationError(file: file, line: index + 1, message: "'\(key)' is defined twice; keep one"))
            } else {
                entries[key] = value
            }
        }
        return errors.isEmpty ? .success(Catalog(language: language, entries: entries)) : .failure(ConfigurationErrors(errors: errors))
    }

    /// Loads `<directory>/<language>.catalog` for every language.
    public static func loadAll(directory: String) -> Result<Catalogs, ConfigurationErrors> {
        var catalogs: [Catalog] = []
        var errors: [ConfigurationError] = []
        for language in Language.allCases {
            let path = directory + "/" + language.rawValue + ".catalog"
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                errors.append(ConfigurationError(file: path, line: 0, message: "cannot read the message catalog; check the path (--assets DIR) and that the file is UTF-8"))
                continue
            }
            switch parse(text, language: language, file: path) {
            case .success(let c): catalogs.append(c)
            case .failure(let e): errors += e.errors
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
                                                 message: "missing '\(key)' (present in zh-Hans.catalog); add a translation"))
            }
        }
        return errors
    }
}
