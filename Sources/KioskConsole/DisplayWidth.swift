/// How many terminal columns text takes, and width-aware truncation and wrapping.
///
/// Widths follow Unicode East Asian Width (UAX #11) for the ranges a kiosk meets: Wide and
/// Fullwidth characters (CJK ideographs, Hangul, kana, CJK punctuation, fullwidth forms, emoji with
/// emoji presentation) take 2 columns; combining marks, zero-width joiners, variation selectors and
/// other format characters take 0; control characters take 0; everything else, including the
/// "ambiguous" box-drawing and block characters the console draws with, takes 1.
public enum DisplayWidth {
    /// Columns taken by a whole string (the sum over its grapheme clusters).
    public static func of(_ s: String) -> Int {
        var total = 0
        for c in s { total += of(c) }
        return total
    }

    /// Columns taken by one grapheme cluster: the width of its base scalar, widened to 2 by an
    /// emoji presentation selector (U+FE0F) or a regional-indicator flag pair.
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // Fast path: printable ASCII.
        if first.value >= 0x20 && first.value < 0x7F && scalars.count == 1 { return 1 }
        var width = of(scalar: first)
        if width == 0 {
            // A cluster that starts with a zero-width scalar (a stray combining mark, ZWJ…):
            // take the widest scalar that follows, if any is visible.
            for s in scalars.dropFirst() { width = max(width, of(scalar: s)) }
            if isControl(first) { return 0 }
            return width
        }
        if width == 1 && scalars.count > 1 {
            if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }  // emoji presentation
            if isRegionalIndicator(first) { return 2 }  // flag
        }
        return width
    }

    /// Columns taken by one Unicode scalar on its own.
    public static func of(scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }  // C0, DEL, C1 controls
        if v < 0x300 { return 1 }
        if inTable(v, zeroWidthRanges) { return 0 }
        if inTable(v, wideRanges) { return 2 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return 1
        }
    }

    /// Cuts `s` so that it fits in `width` columns; when anything is cut the result ends in "…".
    /// Never returns more than `width` columns (an empty string for `width <= 0`).
    public static func truncate(_ s: String, toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        if of(s) <= width { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w + 1 > width { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// Pads `s` with spaces on the right (after truncating) to exactly `width` columns.
    public static func pad(_ s: String, toWidth width: Int) -> String {
        let t = truncate(s, toWidth: width)
        return t + String(repeating: " ", count: max(0, width - of(t)))
    }

    /// Centres `s` in `width` columns (after truncating), padding both sides with spaces.
    public static func center(_ s: String, inWidth width: Int) -> String {
        let t = truncate(s, toWidth: width)
        let free = max(0, width - of(t))
        return String(repeating: " ", count: free / 2) + t + String(repeating: " ", count: free - free / 2)
    }

    /// Wraps text into lines of at most `width` columns. Latin text breaks at spaces when a word
    /// fits on a line (longer words are split); CJK text breaks between any two wide characters,
    /// except that closing punctuation (。，、！？」…) stays with the character before it and
    /// opening punctuation (「（…) with the one after. Explicit newlines start new lines.
    /// A character wider than `width` (a wide character when `width == 1`) is dropped.
    public static func wrap(_ s: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in s.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(contentsOf: wrapParagraph(String(paragraph), width: width))
        }
        return lines
    }

    // MARK: - Wrapping

    private struct Token {
        var leading: String = ""  // spaces before the token
        var text: String = ""
        var width: Int = 0
    }

    private static func tokenize(_ s: String) -> [Token] {
        var tokens: [Token] = []
        var current = Token()
        var pendingSpace = ""
        var glueNext = false  // the previous token was opening punctuation
        func flush() {
            if !current.text.isEmpty { tokens.append(current) }
            current = Token()
        }
        for c in s {
            let w = of(c)
            if c == " " || c == "\t" {
                flush()
                pendingSpace.append(" ")
                glueNext = false
                continue
            }
            if w == 0 {
                // Zero-width: stays with whatever it follows; controls are dropped.
                if c.unicodeScalars.allSatisfy({ isControl($0) }) { continue }
                current.text.append(c)
                continue
            }
            if w == 2 {
                if isClosingPunctuation(c) && pendingSpace.isEmpty {
                    // Never start a line with closing punctuation: attach it to what precedes.
                    if current.text.isEmpty, !tokens.isEmpty {
                        tokens[tokens.count - 1].text.append(c)
                        tokens[tokens.count - 1].width += w
                    } else {
                        current.text.append(c); current.width += w
                    }
                    continue
                }
                if !(glueNext && pendingSpace.isEmpty) {
                    flush()
                    current.leading = pendingSpace; pendingSpace = ""
                }
                current.text.append(c); current.width += w
                glueNext = isOpeningPunctuation(c)
                if !glueNext { flush() }
                continue
            }
            // Narrow character: continues the current Latin run (or follows opening punctuation).
            if !pendingSpace.isEmpty {
                flush()
                current.leading = pendingSpace; pendingSpace = ""
            }
            glueNext = false
            current.text.append(c); current.width += w
        }
        flush()
        return tokens
    }

    private static func wrapParagraph(_ s: String, width: Int) -> [String] {
        let tokens = tokenize(s)
        if tokens.isEmpty { return [""] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        func emit() { lines.append(line); line = ""; lineWidth = 0 }
        for token in tokens {
            let lead = lineWidth == 0 ? 0 : token.leading.count
            if lineWidth + lead + token.width <= width {
                if lineWidth > 0 { line += token.leading }
                line += token.text
                lineWidth += lead + token.width
                continue
            }
            if token.width <= width {
                if lineWidth > 0 { emit() }
                line = token.text; lineWidth = token.width
                continue
            }
            // The token is longer than a whole line: split it at character boundaries,
            // starting on the current line if a reasonable part fits.
            if lineWidth > 0 {
                if width - lineWidth - lead >= min(4, width) {
                    line += token.leading; lineWidth += lead
                } else {
                    emit()
                }
            }
            for c in token.text {
                let w = of(c)
                if w > width { continue }
                if lineWidth + w > width { emit() }
                line.append(c); lineWidth += w
            }
        }
        if lineWidth > 0 || lines.isEmpty { emit() }
        return lines
    }

    private static let closing: Set<Character> = [
        "、", "。", "，", "．", "！", "？", "：", "；", "）", "」", "』", "】", "〕", "〉", "》", "〗", "〙",
        "ー", "ゝ", "ゞ", "々", "〜", "）", "］", "｝", "ぁ", "ぃ", "ぅ", "ぇ", "ぉ", "っ", "ゃ", "ゅ", "ょ",
        "ァ", "ィ", "ゥ", "ェ", "ォ", "ッ", "ャ", "ュ", "ョ",
    ]
    private static let opening: Set<Character> = ["（", "「", "『", "【", "〔", "〈", "《", "〖", "〘", "［", "｛"]

    static func isClosingPunctuation(_ c: Character) -> Bool { closing.contains(c) }
    static func isOpeningPunctuation(_ c: Character) -> Bool { opening.contains(c) }

    // MARK: - Tables

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0)
    }

    static func isRegionalIndicator(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x1F1E6 && s.value <= 0x1F1FF
    }

    private static func inTable(_ v: UInt32, _ table: [(UInt32, UInt32)]) -> Bool {
        if v < table[0].0 || v > table[table.count - 1].1 { return false }
        var lo = 0
        var hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < table[mid].0 {
                hi = mid - 1
            } else if v > table[mid].1 {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Zero-width scalars: combining marks, joiners, variation selectors, Hangul medial vowels and
    /// final consonants (they combine with a leading consonant). Sorted, inclusive. Other
    /// nonspacing/enclosing marks and format characters are caught by their general category.
    static let zeroWidthRanges: [(UInt32, UInt32)] = [
        (0x0300, 0x036F),  // combining diacritical marks
        (0x0483, 0x0489),
        (0x0591, 0x05BD),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x0E31, 0x0E31), (0x0E34, 0x0E3A), (0x0E47, 0x0E4E),  // Thai
        (0x1160, 0x11FF),  // Hangul jungseong / jongseong
        (0x1AB0, 0x1AFF),  // combining diacritical marks extended
        (0x1DC0, 0x1DFF),  // combining diacritical marks supplement
        (0x200B, 0x200F),  // zero width space, ZWNJ, ZWJ, LRM, RLM
        (0x202A, 0x202E),  // bidi embedding controls
        (0x2060, 0x2064),  // word joiner, invisible operators
        (0x20D0, 0x20FF),  // combining marks for symbols
        (0x302A, 0x302D),  // ideographic tone marks
        (0x3099, 0x309A),  // combining kana voiced sound marks
        (0xD7B0, 0xD7FF),  // Hangul jamo extended-B
        (0xFE00, 0xFE0F),  // variation selectors
        (0xFE20, 0xFE2F),  // combining half marks
        (0xFEFF, 0xFEFF),  // zero width no-break space
        (0xE0000, 0xE007F),  // tags
        (0xE0100, 0xE01EF),  // variation selectors supplement
    ]

    /// East Asian Wide (W) and Fullwidth (F) scalars. Sorted, inclusive.
    static let wideRanges: [(UInt32, UInt32)] = [
        (0x1100, 0x115F),  // Hangul Jamo leading consonants
        (0x231A, 0x231B), (0x2329, 0x232A), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3),
        (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693),
        (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE),
        (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA),
        (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C),
        (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0),
        (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
        (0x2E80, 0x2FFF),  // CJK radicals, Kangxi, ideographic description
        (0x3000, 0x303E),  // CJK symbols and punctuation (incl. ideographic space)
        (0x3041, 0x3096), (0x309B, 0x30FF),  // Hiragana, Katakana
        (0x3105, 0x312F), (0x3131, 0x318E), (0x3190, 0x31E5), (0x31EF, 0x321E),  // Bopomofo, compat jamo…
        (0x3220, 0x3247), (0x3250, 0x4DBF),  // enclosed CJK, CJK compatibility, Ext. A
        (0x4DC0, 0x4DFF),  // Yijing hexagrams (Wide since Unicode 16)
        (0x4E00, 0x9FFF),  // CJK unified ideographs
        (0xA000, 0xA4C6),  // Yi
        (0xA960, 0xA97C),  // Hangul Jamo extended-A
        (0xAC00, 0xD7A3),  // Hangul syllables
        (0xF900, 0xFAFF),  // CJK compatibility ideographs
        (0xFE10, 0xFE19),  // vertical forms
        (0xFE30, 0xFE52), (0xFE54, 0xFE66), (0xFE68, 0xFE6B),  // CJK compat forms, small forms
        (0xFF01, 0xFF60),  // fullwidth forms
        (0xFFE0, 0xFFE6),  // fullwidth signs
        (0x16FE0, 0x16FE4), (0x16FF0, 0x16FF1),
        (0x17000, 0x18CFF),  // Tangut
        (0x18D00, 0x18D08),
        (0x1AFF0, 0x1AFFE),
        (0x1B000, 0x1B2FB),  // kana supplement/extended, Nushu
        (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A),
        (0x1F200, 0x1F202), (0x1F210, 0x1F23B), (0x1F240, 0x1F248), (0x1F250, 0x1F251),
        (0x1F260, 0x1F265),
        (0x1F300, 0x1F320), (0x1F32D, 0x1F335), (0x1F337, 0x1F37C), (0x1F37E, 0x1F393),
        (0x1F3A0, 0x1F3CA), (0x1F3CF, 0x1F3D3), (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4),
        (0x1F3F8, 0x1F3FF),
        (0x1F400, 0x1F43E), (0x1F440, 0x1F440), (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D),
        (0x1F54B, 0x1F54E), (0x1F550, 0x1F567), (0x1F57A, 0x1F57A), (0x1F595, 0x1F596),
        (0x1F5A4, 0x1F5A4), (0x1F5FB, 0x1F64F), (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC),
        (0x1F6D0, 0x1F6D2), (0x1F6D5, 0x1F6D7), (0x1F6DC, 0x1F6DF), (0x1F6EB, 0x1F6EC),
        (0x1F6F4, 0x1F6FC), (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F90C, 0x1F93A),
        (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF), (0x1FA70, 0x1FAFF),
        (0x20000, 0x2FFFD),  // CJK Ext. B–F, compatibility supplement
        (0x30000, 0x3FFFD),  // CJK Ext. G–
    ]
}
