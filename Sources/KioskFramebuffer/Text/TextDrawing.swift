/// Measuring, wrapping and drawing single-line text with a `FontSet` onto a `Canvas`.
public struct TextDrawing {
    public let fonts: FontSet
    public init(fonts: FontSet) { self.fonts = fonts }

    /// Width in pixels of `text` at `size`.
    public func width(_ text: String, size: Int) -> Int {
        var w = 0
        for s in text.unicodeScalars { w += fonts.advance(s, size: size) }
        return w
    }

    /// Draws `text` with the top of its line box at `y`; returns the width drawn.
    @discardableResult
    public func draw(_ text: String, x: Int, y: Int, size: Int, color: Color, on canvas: Canvas, clip: PixelRect? = nil) -> Int {
        let baseline = y + fonts.metrics(size: size).ascender
        var pen = x
        for s in text.unicodeScalars {
            let g = fonts.glyph(s, size: size)
            if g.width > 0 {
                g.alpha.withUnsafeBufferPointer { mask in
                    canvas.blend(mask: mask, maskWidth: g.width, maskHeight: g.height, pitch: g.width,
                                 x: pen + g.left, y: baseline - g.top, color: color, clip: clip)
                }
            }
            pen += g.advance
        }
        return pen - x
    }

    /// The pixels `draw` would touch for the same arguments: the union of the glyph bitmaps.
    public func inkBounds(_ text: String, x: Int, y: Int, size: Int) -> PixelRect {
        let baseline = y + fonts.metrics(size: size).ascender
        var pen = x
        var ink = PixelRect(x: x, y: y, width: 0, height: 0)
        for s in text.unicodeScalars {
            let g = fonts.glyph(s, size: size)
            if let r = g.bitmapRect(pen: pen, baseline: baseline) { ink = ink.union(r) }
            pen += g.advance
        }
        return ink
    }

    /// The pixels that differ between drawing `old` at `oldX` and `new` at `newX` on the same
    /// line (same `y` and `size`, same colour): the ink of every glyph that is not the same
    /// character at the same pen position in both (each glyph is drawn alone, without kerning
    /// or shaping, so such a pair draws the same pixels). A ticket number going A100 → A101
    /// changes one digit's pixels, not the number's.
    public func changedInk(_ old: String, x oldX: Int, to new: String, x newX: Int, y: Int, size: Int) -> PixelRect {
        let baseline = y + fonts.metrics(size: size).ascender
        var damage = PixelRect(x: oldX, y: y, width: 0, height: 0)
        var olds = old.unicodeScalars.makeIterator(), news = new.unicodeScalars.makeIterator()
        var oldPen = oldX, newPen = newX
        func ink(_ s: Unicode.Scalar, _ pen: inout Int) {
            let g = fonts.glyph(s, size: size)
            if let r = g.bitmapRect(pen: pen, baseline: baseline) { damage = damage.union(r) }
            pen += g.advance
        }
        while true {
            let o = olds.next(), n = news.next()
            if let o, let n, o == n, oldPen == newPen {
                // The glyph's own advance, as `draw` moves its pen (not `fonts.advance`, which
                // layout measures with), so the pens here are where `draw` puts each glyph.
                let advance = fonts.glyph(o, size: size).advance
                oldPen += advance
                newPen += advance
                continue
            }
            if o == nil && n == nil { return damage }
            if let o { ink(o, &oldPen) }
            if let n { ink(n, &newPen) }
        }
    }

    /// Breaks `text` into lines no wider than `maxWidth`: between words for Latin script, between
    /// any two characters for Chinese, keeping closing punctuation with the character before and
    /// opening punctuation with the one after (the usual CJK rule, kinsoku: no line ends with
    /// "（" and none starts with "）").
    ///
    /// Each character is looked at once (its width, whether it is a space, wide, closing
    /// punctuation); the rest works on character positions and summed widths (a string's width is
    /// the sum of its characters'), slicing `text` only for each line: layout wraps every paragraph
    /// at each size it tries, and building strings per token was most of the layout time.
    public func wrap(_ text: String, size: Int, maxWidth: Int) -> [String] {
        var starts: [String.Index] = []  // where each character starts, then `text.endIndex`
        var kinds: [CharacterKind] = []
        var widthBefore = [0]  // widthBefore[i]: width of the characters before the i-th
        var i = text.startIndex
        let scalars = text.unicodeScalars
        while i < text.endIndex {
            let next = text.index(after: i)
            var w = 0
            for s in scalars[i..<next] { w += fonts.advance(s, size: size) }
            starts.append(i)
            kinds.append(CharacterKind(scalars[i..<next]))
            widthBefore.append(widthBefore[widthBefore.count - 1] + w)
            i = next
        }
        starts.append(text.endIndex)
        func width(_ r: Range<Int>) -> Int { widthBefore[r.upperBound] - widthBefore[r.lowerBound] }
        func droppingLeadingSpaces(_ r: Range<Int>) -> Range<Int> {
            var lo = r.lowerBound
            while lo < r.upperBound && kinds[lo] == .space { lo += 1 }
            return lo..<r.upperBound
        }
        func slice(_ r: Range<Int>) -> String { String(text[starts[r.lowerBound]..<starts[r.upperBound]]) }
        func line(_ r: Range<Int>) -> String {
            var hi = r.upperBound
            while hi > r.lowerBound && kinds[hi - 1] == .space { hi -= 1 }
            return slice(r.lowerBound..<hi)
        }

        var lines: [String] = []
        var paragraphStart = 0
        for end in 0...kinds.count where end == kinds.count || kinds[end] == .newline {
            defer { paragraphStart = end + 1 }
            // The line being filled: always the characters just before the next token.
            var current = paragraphStart..<paragraphStart
            for token in TextDrawing.tokenRanges(kinds, paragraphStart..<end) {
                if current.isEmpty {
                    current = droppingLeadingSpaces(token)
                } else if width(current) + width(token) <= maxWidth {
                    current = current.lowerBound..<token.upperBound
                } else {
                    lines.append(line(current))
                    current = droppingLeadingSpaces(token)
                }
                if width(current) > maxWidth, current.count > 1 {
                    // A single word wider than the line: cut it between characters.
                    var start = current.lowerBound
                    for i in current where i > start && width(start..<(i + 1)) > maxWidth {
                        lines.append(slice(start..<i))
                        start = i
                    }
                    current = start..<current.upperBound
                }
            }
            lines.append(line(current))
        }
        return lines
    }

    /// What wrapping needs to know about a character.
    enum CharacterKind: Equatable {
        case space, newline, wide, wideClosing, wideOpening, closing, opening, other

        /// `scalars`: one character's.
        init(_ scalars: Substring.UnicodeScalarView) {
            guard let first = scalars.first else { self = .other; return }
            let single = scalars.index(after: scalars.startIndex) == scalars.endIndex
            // Exactly " " and "\n" (no other character equals them, canonically or otherwise).
            if single && first == " " { self = .space; return }
            if single && first == "\n" { self = .newline; return }
            let closing = single && TextDrawing.isClosingPunctuation(first.value)
            let opening = single && TextDrawing.isOpeningPunctuation(first.value)
            if TextDrawing.isWide(first.value) {
                self = closing ? .wideClosing : opening ? .wideOpening : .wide
            } else {
                self = closing ? .closing : opening ? .opening : .other
            }
        }

        var isWide: Bool { self == .wide || self == .wideClosing || self == .wideOpening }
        var isClosing: Bool { self == .closing || self == .wideClosing }
        var isOpening: Bool { self == .opening || self == .wideOpening }
    }

    /// The tokens a line may break between, as positions in `kinds` within `paragraph`: words
    /// with their leading spaces, and single wide characters (a CJK character, with any closing
    /// punctuation that follows it); a token ending with opening punctuation is joined to the
    /// next. Together they cover the paragraph in order.
    static func tokenRanges(_ kinds: [CharacterKind], _ paragraph: Range<Int>) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var wordStart = paragraph.lowerBound  // the word being collected is wordStart..<i
        for i in paragraph {
            let kind = kinds[i]
            let wordIsEmpty = wordStart == i
            if kind == .space {
                if !wordIsEmpty && kinds[i - 1] != .space { tokens.append(wordStart..<i); wordStart = i }
            } else if kind.isWide {
                if kind.isClosing, !wordIsEmpty || !tokens.isEmpty {
                    if wordIsEmpty { tokens[tokens.count - 1] = tokens[tokens.count - 1].lowerBound..<(i + 1); wordStart = i + 1 }
                    continue
                }
                if !wordIsEmpty { tokens.append(wordStart..<i) }
                tokens.append(i..<(i + 1))
                wordStart = i + 1
            } else {
                if !wordIsEmpty && kinds[i - 1] == .space { tokens.append(wordStart..<i); wordStart = i }
                if wordStart == i, kind.isClosing, let last = tokens.last, kinds[last.upperBound - 1].isWide {
                    tokens[tokens.count - 1] = last.lowerBound..<(i + 1)
                    wordStart = i + 1
                }
            }
        }
        if wordStart < paragraph.upperBound { tokens.append(wordStart..<paragraph.upperBound) }
        // Leading spaces belong to the following word.
        var merged: [Range<Int>] = []
        var pendingSpaces: Range<Int>?
        for t in tokens {
            if kinds[t].allSatisfy({ $0 == .space }) {
                pendingSpaces = (pendingSpaces?.lowerBound ?? t.lowerBound)..<t.upperBound
            } else {
                merged.append((pendingSpaces?.lowerBound ?? t.lowerBound)..<t.upperBound)
                pendingSpaces = nil
            }
        }
        if let pendingSpaces { merged.append(pendingSpaces) }
        // Opening punctuation stays with what follows it: "咨询（等候" never breaks after "（".
        var glued: [Range<Int>] = []
        for t in merged {
            if let last = glued.last, kinds[last.upperBound - 1].isOpening {
                glued[glued.count - 1] = last.lowerBound..<t.upperBound
            } else {
                glued.append(t)
            }
        }
        return glued
    }

    /// Whether a one-scalar character is one of "（《「『【〔〈〖〘［｛([" .
    static func isOpeningPunctuation(_ v: UInt32) -> Bool {
        switch v {
        case 0xFF08, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3008, 0x3016, 0x3018, 0xFF3B, 0xFF5B: return true  // （《「『【〔〈〖〘［｛
        case 0x28, 0x5B: return true  // ( [
        default: return false
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        (0x2E80...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x3000...0x303F).contains(v)
    }

    /// Whether a one-scalar character is one of "，。、；：？！）》」』】,.;:?!)" (or the Greek question
    /// mark, which `Character ==` takes for ";").
    static func isClosingPunctuation(_ v: UInt32) -> Bool {
        switch v {
        case 0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09, 0x300B, 0x300D, 0x300F, 0x3011: return true  // ，。、；：？！）》」』】
        case 0x2C, 0x2E, 0x3B, 0x3A, 0x3F, 0x21, 0x29, 0x037E: return true  // ,.;:?!) and ;
        default: return false
        }
    }
}
