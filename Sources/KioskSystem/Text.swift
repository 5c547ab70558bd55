// Foundation's string helpers the kiosk used, for modules that link FoundationEssentials only
// (Foundation's NSString and CharacterSet bring its internationalisation layer, ICU).

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Unicode space separators): what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes. Line breaks stay.
    public func trimmingSpaces() -> String {
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == "\t" || s.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
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
