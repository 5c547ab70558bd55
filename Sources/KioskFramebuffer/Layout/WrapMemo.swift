#if canImport(Glibc)
import Glibc
#endif

/// The lines of the paragraphs a painter wrapped in its last two layouts. Wrapping was nine
/// tenths of laying a screen out, and a screen laid out again (a new ticket number, a clock's
/// minute) mostly repeats its paragraphs. `TextDrawing.wrap` depends only on the text, the size,
/// the width and the fonts (one set per painter), so a remembered answer is the answer.
///
/// Two generations: `beginLayout` makes the last layout's paragraphs the older ones, and a
/// paragraph used again moves back to the recent ones, so what is kept stays about two
/// screens' worth however many screens a station shows.
struct WrapMemo {
    struct Entry {
        var text: String
        var size: Int
        var maxWidth: Int
        var lines: [String]
    }
    private var recent: [Entry] = []
    private var older: [Entry] = []

    /// Starts a new layout: what the one before it used becomes the older generation.
    mutating func beginLayout() {
        older = recent
        recent.removeAll(keepingCapacity: true)
    }

    /// The lines of `text` wrapped at `size` into `maxWidth`, from memory or from `wrap`.
    mutating func lines(_ text: String, size: Int, maxWidth: Int, wrap: () -> [String]) -> [String] {
        if let i = recent.firstIndex(where: { $0.matches(text, size: size, maxWidth: maxWidth) }) { return recent[i].lines }
        if let i = older.firstIndex(where: { $0.matches(text, size: size, maxWidth: maxWidth) }) {
            recent.append(older[i])
            return older[i].lines
        }
        let lines = wrap()
        recent.append(Entry(text: text, size: size, maxWidth: maxWidth, lines: lines))
        return lines
    }

    /// Paragraphs remembered (for tests).
    var count: Int { recent.count + older.count }
}

extension WrapMemo.Entry {
    /// Same size, width and UTF-8 bytes. Bytes rather than `==` (canonical equivalence): a
    /// paragraph spelled with other scalars is wrapped afresh, never given another's lines.
    @inline(__always)
    func matches(_ other: String, size: Int, maxWidth: Int) -> Bool {
        self.size == size && self.maxWidth == maxWidth && text.hasSameUTF8(as: other)
    }
}

extension String {
    /// Whether both strings are the same UTF-8 bytes (a memcmp for native strings).
    func hasSameUTF8(as other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        guard count > 0 else { return true }
        let compared = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in memcmp(a.baseAddress!, b.baseAddress!, count) == 0 }
        }
        return (compared ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}
