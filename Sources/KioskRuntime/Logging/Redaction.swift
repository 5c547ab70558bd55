/// # Secrets masked in log text
///
/// `Log.redacted`'s two rules, written as a scan over the text's characters. As regular
/// expressions (Swift's, case-insensitive, simple word boundaries) they are
///
///     \b(pin|pin-hash|token|password|secret)(\s*[=:]\s*)("[^"]*"|[^\s,;]+)   →  $1$2***
///     \b(bearer\s+)[^\s,;]+                                                 →  $1***
///
/// applied one after the other, and `RedactionTests` checks the scan against exactly those
/// expressions on random text. The expressions themselves are not used here: Swift compiles a
/// `Regex` from its text at run time, and every log line compiled both again (15 M instructions
/// of kioskd's 57 M from exec to its first frame, and the regex parser's code resident).
enum Redaction {
    /// The names whose values are secrets; each is tried where a word starts.
    static let secretNames: [[Character]] = ["pin-hash", "password", "secret", "token", "pin"].map { Array($0) }
    static let bearer: [Character] = Array("bearer")

    /// `text` with both rules applied.
    static func masked(_ text: String) -> String {
        maskBearer(maskSecretValues(Array(text)))
    }

    /// `name = value`, `name: "value"` … → `name = ***` (the name and separator kept).
    static func maskSecretValues(_ c: [Character]) -> [Character] {
        var out: [Character] = []
        out.reserveCapacity(c.count)
        var i = 0
        scanning: while i < c.count {
            if startsWord(c, at: i) {
                for name in secretNames where matches(name, in: c, at: i) {
                    var k = skipSpaces(c, from: i + name.count)
                    guard k < c.count, c[k] == "=" || c[k] == ":" else { continue }
                    k = skipSpaces(c, from: k + 1)
                    guard let end = valueEnd(c, from: k, quoted: true) else { continue }
                    out += c[i..<k]
                    out += ["*", "*", "*"]
                    i = end
                    continue scanning
                }
            }
            out.append(c[i])
            i += 1
        }
        return out
    }

    /// `Bearer token` → `Bearer ***`.
    static func maskBearer(_ c: [Character]) -> String {
        var out = ""
        var i = 0
        while i < c.count {
            if startsWord(c, at: i), matches(bearer, in: c, at: i) {
                let k = skipSpaces(c, from: i + bearer.count)
                if k > i + bearer.count, let end = valueEnd(c, from: k, quoted: false) {
                    out += String(c[i..<k]) + "***"
                    i = end
                    continue
                }
            }
            out.append(c[i])
            i += 1
        }
        return out
    }

    /// `\b` before a word character: the one before is not one (or there is none).
    private static func startsWord(_ c: [Character], at i: Int) -> Bool {
        isWordCharacter(c[i]) && (i == 0 || !isWordCharacter(c[i - 1]))
    }

    /// `\w`.
    private static func isWordCharacter(_ ch: Character) -> Bool { ch.isLetter || ch.isNumber || ch == "_" }

    /// `name` at `i`, letters compared without case.
    private static func matches(_ name: [Character], in c: [Character], at i: Int) -> Bool {
        guard i + name.count <= c.count else { return false }
        for (offset, letter) in name.enumerated() {
            let ch = c[i + offset]
            if ch != letter && ch.lowercased() != String(letter) && ch.uppercased().lowercased() != String(letter) { return false }
        }
        return true
    }

    /// The index after `\s*` from `i`.
    private static func skipSpaces(_ c: [Character], from i: Int) -> Int {
        var k = i
        while k < c.count && c[k].isWhitespace { k += 1 }
        return k
    }

    /// The end of a value starting at `i`: `"[^"]*"` (when `quoted`), else `[^\s,;]+`; nil when
    /// neither is there.
    private static func valueEnd(_ c: [Character], from i: Int, quoted: Bool) -> Int? {
        if quoted, i < c.count, c[i] == "\"", let close = c[(i + 1)...].firstIndex(of: "\"") { return close + 1 }
        var k = i
        while k < c.count && !c[k].isWhitespace && c[k] != "," && c[k] != ";" { k += 1 }
        return k > i ? k : nil
    }
}
