// Foundation's string helpers the kiosk used, for modules that link FoundationEssentials only
// (Foundation's NSString and CharacterSet bring its internationalisation layer, ICU).

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode space separators): what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes. Line breaks stay.
    public func trimmingSpaces() -> String {
        trimmingScalars { $0 == " " || $0 == "\t" || ($0.value >= 0x80 && $0.properties.generalCategory == .spaceSeparator) }
    }
}

extension Unicode.Scalar {
    /// A–Z, a–z or 0–9.
    public var isASCIIAlphanumeric: Bool {
        (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39)
    }
}

/// File paths as NSString's path methods treat them (trailing slashes ignored, "/" kept).
public enum Path {
    /// The folder of `path`: "/a/b" → "/a", "/a" → "/", "a" → "".
    public static func folder(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let folder = withoutTrailingSlashes(String(trimmed[..<slash]))
        return folder.isEmpty && trimmed.hasPrefix("/") ? "/" : folder
    }

    /// The last component of `path`: "/a/b" → "b", "/a/b/" → "b", "/" → "/".
    public static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard trimmed != "/" else { return "/" }
        return trimmed.lastIndex(of: "/").map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
    }

    /// `name` inside `folder`: "a" + "b" → "a/b", "a/" + "b" → "a/b", "" + "b" → "b".
    public static func join(_ folder: String, _ name: String) -> String {
        guard !folder.isEmpty else { return name }
        guard !name.isEmpty else { return folder }
        return withoutTrailingSlashes(folder) + (folder == "/" ? "" : "/") + String(name.drop { $0 == "/" })
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}

extension StringProtocol {
    /// Without leading and trailing white space and line breaks (Unicode White_Space): what
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` removes.
    public func trimmingWhitespace() -> String { trimmingScalars { $0.properties.isWhitespace } }

    /// Without leading and trailing line breaks: Foundation's `trimmingCharacters(in: .newlines)`.
    public func trimmingNewlines() -> String {
        trimmingScalars { ($0.value >= 0x0A && $0.value <= 0x0D) || $0.value == 0x85 || $0.value == 0x2028 || $0.value == 0x2029 }
    }

    /// Without the leading and trailing scalars `drop` selects; a copy of the rest (no scalar by
    /// scalar rebuilding: catalogs and configuration trim every line).
    func trimmingScalars(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(Substring(scalars[first...last]))
    }
}

/// A number from a FileManager attributes dictionary (`.size`, `.systemFreeSize`), whichever
/// integer type the Foundation in use stores it as.
public func attributeInteger(_ value: Any?) -> Int64? {
    switch value {
    case let v as Int: return Int64(v)
    case let v as UInt: return Int64(clamping: v)
    case let v as Int64: return v
    case let v as UInt64: return Int64(clamping: v)
    case let v as Int32: return Int64(v)
    case let v as UInt32: return Int64(v)
    default: return nil
    }
}
