#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Localised strings for one language, loaded from `Kiosk/messages/<language>.catalog`.
/// Every string a station shows comes from here; the core only knows keys.
public struct Catalog: Equatable, Sendable {
    public var language: Language
    public var entries: [String: String]

    public init(language: Language, entries: [String: String]) { self.language = language; self.entries = entries }

    /// The text for `key` with `{name}` placeholders filled in. A missing key shows as `⟨key⟩`
    /// so a gap in a catalog is visible, never a crash (`kioskd --check-config` reports it).
    public func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
        // Debug builds (the tests) check the code against the table `--check-config` checks the
        // catalogs against: an argument the table does not list would let a typo through.
        assert(arguments.keys.allSatisfy(MessagePlaceholders.given(to: key).contains),
               "\(key) is given \(arguments.keys.sorted()), MessagePlaceholders lists \(MessagePlaceholders.given(to: key).sorted()): update the table")
        guard let text = entries[key] else { return "⟨\(key)⟩" }
        return Self.fill(text, arguments)
    }

    /// `template` with each `{name}` that `arguments` names replaced by its value, in one pass:
    /// a value is never searched for placeholders again (it may be a resident's text), and a
    /// `{…}` not named stays as written. (By hand rather than `replacing(_:with:)`, whose string
    /// searching brings 0.4 MB of `_StringProcessing` code into every daemon's start.)
    static func fill(_ template: String, _ arguments: [String: String]) -> String {
        guard !arguments.isEmpty else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let afterOpen = rest.index(after: open)
            if let value = arguments[String(rest[afterOpen..<close])] {
                result += rest[..<open]
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += rest[..<afterOpen]
                rest = rest[afterOpen...]
            }
        }
        result += rest
        return result
    }

    /// Keys starting with `prefix`, sorted ("farewell.rain." → the rain farewells).
    public func keys(withPrefix prefix: String) -> [String] {
        entries.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }
}

/// The catalogs of every language the kiosk offers.
public struct Catalogs: Equatable, Sendable {
    public var byLanguage: [Language: Catalog]
    public init(_ catalogs: [Catalog]) {
        var map: [Language: Catalog] = [:]
        for c in catalogs { map[c.language] = c }
        byLanguage = map
    }
    public subscript(language: Language) -> Catalog {
        byLanguage[language] ?? byLanguage[.chinese] ?? Catalog(language: language, entries: [:])
    }
}
