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
        guard var text = entries[key] else { return "⟨\(key)⟩" }
        for (name, value) in arguments { text = text.replacing("{\(name)}", with: value) }
        return text
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
