/// The configured call-out command (`announce-command = espeak-ng -v cmn "请 {ticket} 号到 {counter} 号窗口"`),
/// split into words like a shell would (double and single quotes, backslash escapes) but run
/// without a shell: `{ticket}` and `{counter}` are filled in word by word, so nothing in them
/// can become a command.
public struct AnnounceCommand: Equatable, Sendable {
    public let words: [String]

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `setting` names the setting in errors (kiosk-central's `--notify-command` uses this too).
    public init(_ template: String, setting: String = "announce-command") throws {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in template {
            if escaped { current.append(ch); escaped = false; inWord = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else if ch == "\\" && q == "\"" { escaped = true } else { current.append(ch) }
                continue
            }
            switch ch {
            case "\\": escaped = true; inWord = true
            case "\"", "'": quote = ch; inWord = true
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(ch); inWord = true
            }
        }
        if quote != nil { throw ParseError(description: "\(setting) has an unclosed \(quote!) quote") }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw ParseError(description: "\(setting) is empty") }
        self.words = words
    }

    /// The program and its arguments for one call.
    public func arguments(ticket: String, counter: Int) -> [String] {
        arguments(filling: ["ticket": ticket, "counter": String(counter)])
    }

    /// The program and its arguments with every `{name}` of `values` filled in, in one pass
    /// (a value that itself contains `{…}` is not filled again); unknown `{…}` stay as written.
    public func arguments(filling values: [String: String]) -> [String] {
        words.map { word in
            var out = ""
            var rest = word[...]
            while let open = rest.firstIndex(of: "{") {
                out += rest[..<open]
                if let close = rest[open...].firstIndex(of: "}"), let value = values[String(rest[rest.index(after: open)..<close])] {
                    out += value
                    rest = rest[rest.index(after: close)...]
                } else {
                    out.append("{")
                    rest = rest[rest.index(after: open)...]
                }
            }
            return out + rest
        }
    }
}
