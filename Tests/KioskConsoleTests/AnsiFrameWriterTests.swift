import KioskCore
import KioskTestSupport
import Testing

@testable import KioskConsole

/// A tiny terminal emulator: CUP, SGR (0, 1, 7, 22, 27, 30–37, 39, 90–97, 38;5;n), ED 2,
/// private modes (ignored) and printable text including wide characters, which occupy two cells;
/// overwriting half of a wide character blanks the other half, as real terminals do.
struct VirtualTerminal {
    let width: Int
    let height: Int
    var cells: [Cell]
    var x = 0
    var y = 0
    var style = CellStyle.plain
    let colorMode: AnsiFrameWriter.ColorMode

    init(width: Int, height: Int, colorMode: AnsiFrameWriter.ColorMode = .ansi256) {
        self.width = width; self.height = height; self.colorMode = colorMode
        cells = Array(repeating: Cell("?"), count: width * height)  // garbage until cleared
    }

    mutating func feed(_ s: String) {
        var chars = Array(s)[...]
        while let c = chars.popFirst() {
            if c == "\u{1B}" {
                guard chars.popFirst() == "[" else { Issue.record("unsupported escape"); return }
                var params = ""
                while let p = chars.popFirst() {
                    if p.isLetter { apply(final: p, params: params); break }
                    params.append(p)
                }
                continue
            }
            printChar(c)
        }
    }

    private mutating func apply(final: Character, params: String) {
        if params.hasPrefix("?") { return }  // cursor visibility, alternate screen
        let numbers = params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        switch final {
        case "H":
            y = max(1, numbers.first ?? 1) - 1
            x = max(1, numbers.count > 1 ? numbers[1] : 1) - 1
        case "J":
            if numbers.first == 2 { cells = Array(repeating: .blank, count: width * height) } else {
                Issue.record("unsupported ED \(params)")
            }
        case "m":
            var i = 0
            let n = numbers.isEmpty ? [0] : numbers
            while i < n.count {
                switch n[i] {
                case 0: style = .plain
                case 1: style.bold = true
                case 7: style.inverse = true
                case 22: style.bold = false
                case 27: style.inverse = false
                case 39: style.tone = .normal
                case 38:
                    style.tone = tone(for: "38;5;\(n[i + 2])"); i += 2
                default: style.tone = tone(for: String(n[i]))
                }
                i += 1
            }
        default:
            Issue.record("unsupported CSI \(params)\(final)")
        }
    }

    private func tone(for parameter: String) -> Tone {
        let writer = AnsiFrameWriter(colorMode: colorMode)
        for t in Tone.allCases where writer.colorParameter(t) == parameter { return t }
        Issue.record("unknown colour \(parameter)")
        return .normal
    }

    /// Blanks whatever wide character overlaps column `col`, as a terminal does when either
    /// half of a wide character is overwritten.
    private mutating func eraseWide(at col: Int) {
        let i = y * width + col
        if cells[i].isContinuation && col > 0 { cells[i - 1] = Cell(" ", style: style) }
        if cells[i].width == 2 && col + 1 < width { cells[i + 1] = Cell(" ", style: style) }
    }

    private mutating func printChar(_ c: Character) {
        let w = DisplayWidth.of(c)
        guard w > 0, y < height, x < width else { return }
        if w == 2 && x + 1 >= width { Issue.record("wide character would wrap at column \(x)"); return }
        eraseWide(at: x)
        if w == 2 { eraseWide(at: x + 1) }
        cells[y * width + x] = Cell(c, style: style)
        if w == 2 { cells[y * width + x + 1] = Cell(" ", style: style, isContinuation: true) }
        x += w
    }

    func matches(_ canvas: TextCanvas) -> Bool {
        canvas.width == width && canvas.height == height && canvas.cells == cells
    }

    func firstDifference(_ canvas: TextCanvas) -> String? {
        for row in 0..<height {
            for col in 0..<width where canvas[col, row] != cells[row * width + col] {
                return "(\(col),\(row)): canvas \(canvas[col, row]) terminal \(cells[row * width + col])"
            }
        }
        return nil
    }
}

@Suite struct AnsiFrameWriterTests {
    static func sampleCanvas(_ variant: Int, width: Int = 40, height: Int = 12) -> TextCanvas {
        DemoLayout.render(
            [SampleScreens.lobby, SampleScreens.ticket, SampleScreens.rating], focus: variant % 3, width: width,
            height: height, hint: "Tab: 下一个 · Ctrl-C: quit")
    }

    @Test(arguments: [AnsiFrameWriter.ColorMode.ansi256, .ansi16, .monochrome])
    func firstFrameThenDiffReproducesTheCanvas(mode: AnsiFrameWriter.ColorMode) {
        var writer = AnsiFrameWriter(colorMode: mode)
        var term = VirtualTerminal(width: 80, height: 24, colorMode: mode)
        let a = DemoLayout.render(
            [SampleScreens.lobby, SampleScreens.ticket, SampleScreens.rating], focus: 0, width: 80, height: 24,
            hint: "Tab")
        var b = DemoLayout.render(
            [SampleScreens.lobby, SampleScreens.rating, SampleScreens.ticket], focus: 2, width: 80, height: 24,
            hint: "Tab")
        if mode == .monochrome {
            // Colours are not emitted: compare against a colourless canvas.
            func strip(_ c: TextCanvas) -> TextCanvas {
                var c = c
                c.restyle(c.bounds) { $0.tone = .normal }
                return c
            }
            term.feed(writer.frame(strip(a)))
            #expect(term.firstDifference(strip(a)) == nil)
            b = strip(b)
        } else {
            term.feed(writer.frame(a))
            #expect(term.firstDifference(a) == nil)
        }
        term.feed(writer.frame(b))
        #expect(term.firstDifference(b) == nil)
        #expect(writer.frame(b) == "")  // nothing changed, nothing sent
    }

    @Test func oneCellChangeIsMuchShorterThanAFullRedraw() {
        var writer = AnsiFrameWriter()
        let a = Self.sampleCanvas(0, width: 80, height: 24)
        let full = writer.frame(a)
        var b = a
        b.put("X", x: 40, y: 10)
        let diff = writer.frame(b)
        #expect(!diff.isEmpty)
        #expect(diff.utf8.count * 20 < full.utf8.count, "diff \(diff.utf8.count) bytes, full \(full.utf8.count)")
        var term = VirtualTerminal(width: 80, height: 24)
        term.feed(full)
        term.feed(diff)
        #expect(term.firstDifference(b) == nil)
    }

    @Test func invalidateRedrawsEverything() {
        var writer = AnsiFrameWriter()
        let a = Self.sampleCanvas(0)
        _ = writer.frame(a)
        writer.invalidate()
        let again = writer.frame(a)
        #expect(again.contains("\u{1B}[2J"))
        var term = VirtualTerminal(width: 40, height: 12)
        term.feed(again)
        #expect(term.firstDifference(a) == nil)
        // A new size redraws everything too.
        let bigger = Self.sampleCanvas(1, width: 50, height: 14)
        let resized = writer.frame(bigger)
        #expect(resized.hasPrefix("\u{1B}[?25l"))
        #expect(resized.contains("\u{1B}[2J"))
        var term2 = VirtualTerminal(width: 50, height: 14)
        term2.feed(resized)
        #expect(term2.firstDifference(bigger) == nil)
    }

    /// Random edits with wide characters shifting by one column, many frames in a row: the
    /// terminal must always end up exactly equal to the canvas.
    @Test func randomFramesStayInSync() {
        var rng = SplitMix64(seed: 42)
        let pieces = ["号", "A023", "窗口", "x", "😀", "é", "，", " ", "ab中cd", "━━"]
        let styles = [
            CellStyle.plain, CellStyle(tone: .good), CellStyle(tone: .alert, bold: true),
            CellStyle(tone: .accent, bold: true, inverse: true), CellStyle(tone: .muted),
        ]
        var writer = AnsiFrameWriter()
        var term = VirtualTerminal(width: 17, height: 5)
        var canvas = TextCanvas(width: 17, height: 5)
        for frame in 0..<300 {
            for _ in 0..<Int(rng.next() % 6) {
                let text = (0..<Int(rng.next() % 4 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }
                    .joined()
                canvas.put(
                    text, x: Int(rng.next() % 19) - 1, y: Int(rng.next() % 5),
                    style: styles[Int(rng.next() % UInt64(styles.count))])
            }
            if frame % 97 == 0 { writer.invalidate() }
            term.feed(writer.frame(canvas))
            let difference = term.firstDifference(canvas)
            #expect(difference == nil, "frame \(frame)")
            if difference != nil { break }
        }
    }

    @Test func sgrMapping() {
        let w256 = AnsiFrameWriter(colorMode: .ansi256)
        #expect(w256.sgr(.plain) == "\u{1B}[0m")
        #expect(w256.sgr(CellStyle(tone: .alert, bold: true)) == "\u{1B}[0;1;38;5;196m")
        #expect(w256.sgr(CellStyle(tone: .warning)) == "\u{1B}[0;38;5;208m")
        let w16 = AnsiFrameWriter(colorMode: .ansi16)
        #expect(w16.sgr(CellStyle(tone: .good, inverse: true)) == "\u{1B}[0;7;32m")
        #expect(w16.sgr(CellStyle(tone: .fair)) == "\u{1B}[0;33m")
        // Distinct tones stay distinct in colour modes.
        #expect(Set(Tone.allCases.map { w256.colorParameter($0) }).count == Tone.allCases.count)
        #expect(Set(Tone.allCases.map { w16.colorParameter($0) }).count == Tone.allCases.count)
    }
}
