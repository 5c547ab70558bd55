import KioskCore
import KioskRuntime
import Testing

/// `Log.redacted` masks secrets with a hand-written scan (`Redaction`); these tests hold it to the
/// two regular expressions it stands for, which the log used to compile for every line.
@Suite struct RedactionTests {
    /// The rules as regular expressions: Swift's, case-insensitive, with simple word boundaries.
    static func byRegex(_ message: String) -> String {
        func masking(_ text: String, _ pattern: String, keeping groups: Int) -> String {
            let regex = try! Regex(pattern).wordBoundaryKind(.simple)
            return text.replacing(regex) { match in
                (1...groups).map { match.output[$0].substring.map(String.init) ?? "" }.joined() + "***"
            }
        }
        return masking(masking(message, #"(?i)\b(pin|pin-hash|token|password|secret)(\s*[=:]\s*)("[^"]*"|[^\s,;]+)"#, keeping: 2),
                       #"(?i)\b(bearer\s+)[^\s,;]+"#, keeping: 1)
    }

    @Test(arguments: [
        "staff login pin=1234 ok", "PIN: 1234", "Pin = \"12 34\" then", "pin-hash=pbkdf2$x$y, next", "pin-hash in [staff 1001]",
        "token=\"\"", "token=\"never closed", "password:\t\"a\"b", "secret=;", "secret = , x", "xpin=1", "_pin=1", "密码pin=1", "pin=1;pin=2",
        "Authorization: Bearer abc.def", "bearer\n\tabc", "Bearer ", "bearer,abc", "nobearer abc", "token=a bearer b", "pins=3", "tokenizer: x",
        "pin\u{3000}=\u{3000}全角", "PASSWORD=é1", "pin=1\npin=2", "call A001 to counter 2",
    ])
    func matchesTheRegularExpressions(_ text: String) {
        #expect(Log.redacted(text) == Self.byRegex(text), "\(text.debugDescription)")
    }

    /// Random text built from the rules' own pieces, separators, quotes, CJK and mixed case.
    @Test func matchesTheRegularExpressionsOnRandomText() {
        let pieces = ["pin", "PIN", "Pin", "pin-hash", "PIN-HASH", "token", "Token", "password", "secret", "bearer", "Bearer", "BEARER",
                      "x", "_", "pins", "1234", "abc", "密码", "号", "é", " ", "  ", "\t", "\n", "\u{3000}", "=", ":", ",", ";", "\"", "-", "$", "."]
        var rng = SplitMix64(seed: 14)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let redacted = Log.redacted(text)
            #expect(redacted == Self.byRegex(text), "\(text.debugDescription)")
            if redacted != Self.byRegex(text) { return }
        }
    }
}
