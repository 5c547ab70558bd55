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
            if g.width > 0 && g.height > 0 {
                ink = ink.union(PixelRect(x: pen + g.left, y: baseline - g.top, width: g.width, height: g.height))
            }
            pen += g.advance
        }
        return ink
    }

    /// Breaks `text` into lines no wider than `maxWidth`: between words for Latin script, between
    /// any two characters for Chinese (keeping closing punctuation with the character before).
    public func wrap(_ text: String, size: Int, maxWidth: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            var currentWidth = 0
            for token in TextDrawing.tokens(String(paragraph)) {
                let tokenWidth = width(token, size: size)
                if current.isEmpty {
                    current = String(token.drop { $0 == " " })
                    currentWidth = width(current, size: size)
                } else if currentWidth + tokenWidth <= maxWidth {
                    current += token
                    currentWidth += tokenWidth
                } else {
                    lines.append(trimTrailing(current))
                    current = String(token.drop { $0 == " " })
                    currentWidth = width(current, size: size)
                }
                if currentWidth > maxWidth, current.count > 1 {
                    // A single word wider than the line: cut it between characters.
                    let pieces = hardBreak(current, size: size, maxWidth: maxWidth)
                    lines += pieces.dropLast()
                    current = pieces.last ?? ""
                    currentWidth = width(current, size: size)
                }
            }
            lines.append(trimTrailing(current))
        }
        return lines
    }

    private func trimTrailing(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }

    private func hardBreak(_ s: String, size: Int, maxWidth: Int) -> [String] {
        var out: [String] = []
        var line = ""
        for ch in s {
            if !line.isEmpty && width(line + String(ch), size: size) > maxWidth { out.append(line); line = "" }
            line.append(ch)
        }
        out.append(line)
        return out
    }

    /// Words with their leading spaces, and single wide characters (a CJK character, with any
    /// closing punctuation that follows it).
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        for ch in text {
            if ch == " " {
                if !word.isEmpty && word.last != " " { tokens.append(word); word = "" }
                word.append(ch)
            } else if isWide(ch) {
                if isClosingPunctuation(ch), !word.isEmpty || !tokens.isEmpty {
                    if word.isEmpty { tokens[tokens.count - 1].append(ch) } else { word.append(ch) }
                    continue
                }
                if !word.isEmpty { tokens.append(word); word = "" }
                word.append(ch)
                tokens.append(word); word = ""
            } else {
                if word.last == " " { tokens.append(word); word = "" }
                if let last = tokens.last?.last, isWide(last), word.isEmpty, isClosingPunctuation(ch) {
                    tokens[tokens.count - 1].append(ch); continue
                }
                word.append(ch)
            }
        }
        if !word.isEmpty { tokens.append(word) }
        // Leading spaces belong to the following word.
        var merged: [String] = []
        var pending = ""
        for t in tokens {
            if t.allSatisfy({ $0 == " " }) { pending += t } else { merged.append(pending + t); pending = "" }
        }
        if !pending.isEmpty { merged.append(pending) }
        return merged
    }

    static func isWide(_ ch: Character) -> Bool {
        guard let v = ch.unicodeScalars.first?.value else { return false }
        return (0x2E80...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x3000...0x303F).contains(v)
    }

    static func isClosingPunctuation(_ ch: Character) -> Bool { "，。、；：？！）》」』】,.;:?!)".contains(ch) }
}
