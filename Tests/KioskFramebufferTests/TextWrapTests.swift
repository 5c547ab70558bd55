import KioskCore
import KioskFramebuffer
import KioskTestSupport
import Testing

/// `TextDrawing.wrap` works on character positions for speed; these tests hold it to the plain
/// string version it replaced (kept below as the reference), so screens lay out exactly as before.
@Suite("Text wrapping")
struct TextWrapTests {
    static func texts() -> [String] {
        var out: [String] = []
        for language in Language.allCases {
            for (_, screen) in ScreenFixtures.all(language) {
                out += [screen.title, screen.footer]
                for block in screen.blocks {
                    switch block {
                    case .heading(let s), .text(let s, _), .banner(let s, _): out.append(s)
                    case .table(let rows): out += rows.flatMap { $0 }
                    case .choices(let choices): out += choices.flatMap { [$0.key, $0.label] }
                    case .spacer: break
                    }
                }
            }
        }
        // Edges: spaces at either end and in runs, paragraphs, empty ones, closing punctuation
        // after wide and narrow characters and at the start, a word longer than any line, mixed
        // scripts, combining marks, the Greek question mark (which equals ";").
        out += ["", " ", "   ", "\n", "a\n\nb", "  leading and trailing  ", "double  spaces   here",
                "，开头的标点", "中文，标点。再来！（括号）", "number 12, then 中文。", "中)", "a)", "中 )", "中,",
                "Supercalifragilisticexpialidocious-and-even-longer-words-than-a-line", "混合 mixed 文字 text，好。",
                "e\u{301}te\u{301} cafe\u{301}", "中\u{37E} done\u{37E}", "请到3号窗口办理业务，谢谢合作。Please go to counter 3.",
                "请到窗口咨询（等候 0 人）", "（开头", "结尾（", "a (b) c", "（（双重", "《书名》和「引号」", "x(中文)"]
        return out
    }

    @Test func wrapGivesTheSameLinesAsThePlainStringVersion() throws {
        let text = TextDrawing(fonts: try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath)))
        for s in Self.texts() {
            for size in [14, 24, 54] {
                for maxWidth in stride(from: 0, through: 900, by: 37) {
                    let expected = ReferenceWrap(text: text).wrap(s, size: size, maxWidth: maxWidth)
                    #expect(text.wrap(s, size: size, maxWidth: maxWidth) == expected, "'\(s)' at \(size) px in \(maxWidth) px")
                }
            }
        }
    }

    /// The counter header once wrapped as "…咨询（" / "等候 0 人）": no line may end with opening
    /// punctuation or start with closing punctuation, at any width.
    @Test func noLineEndsWithAnOpeningBracketOrStartsWithAClosingOne() throws {
        let text = TextDrawing(fonts: try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath)))
        let s = "今日业务：社保、医保、户籍、公积金咨询（等候 0 人）《办事指南》请到「1 号窗口」【咨询】"
        var broken = 0
        for maxWidth in stride(from: 120, through: 1400, by: 7) {
            let lines = text.wrap(s, size: 40, maxWidth: maxWidth)
            if lines.count > 1 { broken += 1 }
            #expect(lines.joined().filter { $0 != " " } == s.filter { $0 != " " }, "text lost at \(maxWidth) px: \(lines)")
            for line in lines {
                #expect(!(line.last.map { "（《「『【".contains($0) } ?? false), "line ends with an opening bracket at \(maxWidth) px: \(lines)")
                #expect(!(line.first.map { "）》」』】，、：".contains($0) } ?? false), "line starts with closing punctuation at \(maxWidth) px: \(lines)")
            }
        }
        #expect(broken > 100)
        let header = text.wrap("请到窗口咨询（等候 0 人）", size: 40, maxWidth: text.width("请到窗口咨询（", size: 40))
        #expect(header.first == "请到窗口咨询", "\(header)")
    }
}

/// The wrapping as first written, on strings: words with their leading spaces and single wide
/// characters (with closing punctuation) as tokens, a word wider than a line cut between characters.
private struct ReferenceWrap {
    let text: TextDrawing

    func wrap(_ text: String, size: Int, maxWidth: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            var currentWidth = 0
            for token in Self.tokens(String(paragraph)) {
                let tokenWidth = width(token, size)
                if current.isEmpty {
                    current = String(token.drop { $0 == " " })
                    currentWidth = width(current, size)
                } else if currentWidth + tokenWidth <= maxWidth {
                    current += token
                    currentWidth += tokenWidth
                } else {
                    lines.append(trimTrailing(current))
                    current = String(token.drop { $0 == " " })
                    currentWidth = width(current, size)
                }
                if currentWidth > maxWidth, current.count > 1 {
                    let pieces = hardBreak(current, size: size, maxWidth: maxWidth)
                    lines += pieces.dropLast()
                    current = pieces.last ?? ""
                    currentWidth = width(current, size)
                }
            }
            lines.append(trimTrailing(current))
        }
        return lines
    }

    private func width(_ s: String, _ size: Int) -> Int { text.width(s, size: size) }

    private func trimTrailing(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }

    private func hardBreak(_ s: String, size: Int, maxWidth: Int) -> [String] {
        var out: [String] = []
        var line = ""
        for ch in s {
            if !line.isEmpty && width(line + String(ch), size) > maxWidth { out.append(line); line = "" }
            line.append(ch)
        }
        out.append(line)
        return out
    }

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
        var merged: [String] = []
        var pending = ""
        for t in tokens {
            if t.allSatisfy({ $0 == " " }) { pending += t } else { merged.append(pending + t); pending = "" }
        }
        if !pending.isEmpty { merged.append(pending) }
        // Opening punctuation is joined to the token after it.
        var glued: [String] = []
        for t in merged {
            if let last = glued.last?.last, isOpeningPunctuation(last) { glued[glued.count - 1] += t } else { glued.append(t) }
        }
        return glued
    }

    static func isOpeningPunctuation(_ ch: Character) -> Bool { "（《「『【〔〈〖〘［｛([".contains(ch) }

    static func isWide(_ ch: Character) -> Bool {
        guard let v = ch.unicodeScalars.first?.value else { return false }
        return (0x2E80...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0x3000...0x303F).contains(v)
    }

    static func isClosingPunctuation(_ ch: Character) -> Bool { "，。、；：？！）》」』】,.;:?!)".contains(ch) }
}
