/// The configured call-out command (`announce-command = espeak-ng -v cmn "请 {ticket} 号到 {counter} 号窗口"`),
/// split into words like a shell would (double and single quotes, backslash escapes) but run
/// without a shell: `{ticket}` and `{counter}` are filled in word by word, so nothing in them
/// can become a command.
public struct AnnounceCommand: Equatable, Sendable {
    public let words: [String]

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ template: String) throws {
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
        if quote != nil { throw ParseError(description: "announce-command has an unclosed \(quote!) quote") }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw ParseError(description: "announce-command is empty") }
        self.words = words
    }

    /// The program and its arguments for one call.
    public func arguments(ticket: String, counter: Int) -> [String] {
        words.map { $0.replacingOccurrences(of: "{ticket}", with: ticket).replacingOccurrences(of: "{counter}", with: String(counter)) }
    }
}
