/// What a diagnostic echoes of a person's text: enough to find the mistake, never the whole of
/// a line that may be megabytes long (a key map saved as one 1.46 MB line once produced a
/// 1.46 MB error line). Every parser that quotes a file's or a client's text goes through here.
public enum Excerpt {
    /// Characters echoed before the cut.
    public static let limit = 80

    /// `text` itself when it has at most `limit` characters, else its first `limit` characters
    /// and "…" (with how long the whole was, so nobody hunts for the rest on screen).
    public static func of(_ text: some StringProtocol, limit: Int = Excerpt.limit) -> String {
        var end = text.startIndex
        var count = 0
        while end < text.endIndex, count < limit {
            end = text.index(after: end)
            count += 1
        }
        if end == text.endIndex { return String(text) }
        return String(text[..<end]) + "… (\(text.utf8.count) bytes in all)"
    }
}
