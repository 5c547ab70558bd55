import KioskCore
import Testing

@testable import KioskConsole

/// Hand-built screens like the ones the core produces.
enum SampleScreens {
    static let lobby = Screen(
        title: "城东政务服务中心",
        blocks: [
            .text("欢迎！请按业务键取号，按 * 进入优先通道。", .accent),
            .table([
                ["键", "业务", "等候", "预计等候"],
                ["1", "户籍办理", "3 人", "10–20 分钟"],
                ["2", "社保 Social security", "0 人", "无需等候"],
                ["3", "出入境 Exit-entry", "12 人", "45–70 分钟"],
                ["4", "公积金", "1 人", "5–10 分钟"],
            ]),
            .heading("最近叫号"),
            .text("请 A023 号到 2 号窗口", .accent),
            .text("请 B007 号到 1 号窗口", .normal),
            .text("A019 号：您已等候 42 分钟，非常抱歉，预计还需 5–10 分钟。", .warning),
            .text("按 1–4 选择业务。", .muted),
        ],
        footer: "2025-03-14 星期五 09:41")

    static let ticket = Screen(
        title: "城东政务服务中心",
        blocks: [
            .heading("您的号码"),
            .banner("A023", .accent),
            .text("户籍办理", .normal),
            .text("前面还有 3 人", .normal),
            .text("预计等候 10–20 分钟", .good),
            .text("请保留小票。如有疑问请致电 0571-8888 0000。", .muted),
        ],
        footer: "请取走您的小票")

    static let rating = Screen(
        title: "2 号窗口 · 李娜 (S02)",
        blocks: [
            .text("开放 · 户籍办理、社保 · 等候 4 人", .good),
            .spacer,
            .heading("您对本次服务满意吗？"),
            .choices([
                Choice(key: "1", label: "非常满意", tone: .good),
                Choice(key: "2", label: "满意", tone: .fair),
                Choice(key: "3", label: "一般", tone: .warning),
                Choice(key: "4", label: "不满意", tone: .alert),
            ]),
        ],
        footer: "09:41  * 呼叫下一位  + 重呼  / 暂停")

    static let english = Screen(
        title: "Counter 1",
        blocks: [
            .text("Open · Civil registry · 2 waiting", .good),
            .banner("B007", .accent),
            .text("Called 09:38, recalled 1 time, waited 12 minutes. Press Enter when the visitor arrives.", .normal),
            .text("A019 has waited 42 minutes: please take care of them.", .alert),
        ],
        footer: "09:41  * next  + recall  / pause")

    static let all = [lobby, ticket, rating, english]
}

@Suite struct ScreenLayoutTests {
    func draw(_ screen: Screen, width: Int, height: Int, focused: Bool = true) -> TextCanvas {
        var canvas = TextCanvas(width: width, height: height)
        ScreenLayout.draw(screen, into: &canvas, frame: canvas.bounds, focused: focused)
        return canvas
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func snapshots(size: (Int, Int)) {
        let (w, h) = size
        for (name, screen) in [
            ("lobby", SampleScreens.lobby), ("ticket", SampleScreens.ticket), ("rating", SampleScreens.rating),
        ] {
            let canvas = draw(screen, width: w, height: h)
            #expect(wideCharactersAreWhole(canvas))
            assertSnapshot(name: "\(name)-\(w)x\(h)", lines: canvas.plainLines())
        }
    }

    @Test(arguments: [(80, 24), (120, 40), (60, 30)])
    func demoSnapshots(size: (Int, Int)) {
        let (w, h) = size
        let canvas = DemoLayout.render(
            [SampleScreens.lobby, SampleScreens.ticket, SampleScreens.rating], focus: 1, width: w, height: h,
            hint: "Tab 切换窗口 · Ctrl-C 退出")
        #expect(wideCharactersAreWhole(canvas))
        assertSnapshot(name: "demo3-\(w)x\(h)", lines: canvas.plainLines())
    }

    @Test func englishSnapshot() {
        assertSnapshot(name: "english-60x16", lines: draw(SampleScreens.english, width: 60, height: 16).plainLines())
    }

    /// The display column at which `needle` starts in `line`.
    func column(of needle: String, in line: String) -> Int? {
        guard let r = line.range(of: needle) else { return nil }
        return DisplayWidth.of(String(line[..<r.lowerBound]))
    }

    @Test(arguments: [80, 50, 36])
    func tableColumnsAlignWithMixedCJKAndASCII(width: Int) {
        let rows = [
            ["号", "Service", "人"],
            ["A023", "户籍办理", "3"],
            ["B7", "Social security 社保", "12"],
            ["出入境", "x", "0"],
        ]
        let screen = Screen(title: "", blocks: [.table(rows)], footer: "")
        let lines = draw(screen, width: width, height: 10).plainLines()
        var starts = Array(repeating: Set<Int>(), count: 3)
        for row in rows {
            guard let line = lines.first(where: { $0.dropFirst(2).hasPrefix(row[0]) }) else {
                Issue.record("row \(row) not found in \(lines)")
                continue
            }
            // Find each cell after the previous one; record its display column.
            var from = line.startIndex
            for (c, cell) in row.enumerated() {
                guard let r = line.range(of: cell, range: from..<line.endIndex) else {
                    Issue.record("cell \(cell) not found in \(line)")
                    break
                }
                starts[c].insert(DisplayWidth.of(String(line[..<r.lowerBound])))
                from = r.upperBound
            }
        }
        for c in 0..<3 {
            #expect(starts[c].count == 1, "column \(c) starts at \(starts[c]) (width \(width)):\n\(lines.joined(separator: "\n"))")
        }
    }

    @Test func tableColumnWidthsUseDisplayWidth() {
        let widths = ScreenLayout.columnWidths([["号码", "x"], ["A023", "户籍办理"]], width: 100, gap: 2)
        #expect(widths == [4, 8])
        let narrow = ScreenLayout.columnWidths([["号码", "x"], ["A023", "户籍办理"]], width: 10, gap: 2)
        #expect(narrow.reduce(0, +) + 2 <= 10)
    }

    /// Whatever the size, drawing stays inside the frame and keeps wide characters whole.
    @Test func neverDrawsOutsideTheFrame() {
        for screen in SampleScreens.all {
            for w in [1, 2, 3, 4, 5, 7, 10, 13, 20, 33, 40, 41] {
                for h in [1, 2, 3, 4, 5, 6, 8, 11, 12, 17, 24] {
                    var canvas = TextCanvas(width: w + 4, height: h + 4)
                    canvas.fill(canvas.bounds, with: "x")
                    let frame = Rect(x: 2, y: 2, width: w, height: h)
                    ScreenLayout.draw(screen, into: &canvas, frame: frame, focused: w % 2 == 0)
                    #expect(wideCharactersAreWhole(canvas))
                    for y in 0..<canvas.height {
                        for x in 0..<canvas.width where !(x >= 2 && x < 2 + w && y >= 2 && y < 2 + h) {
                            #expect(canvas[x, y] == Cell("x"), "\(w)x\(h): wrote outside at (\(x),\(y))")
                        }
                    }
                }
            }
        }
    }

    @Test func focusedPanelIsHighlighted() {
        let focused = draw(SampleScreens.ticket, width: 40, height: 12, focused: true)
        let plain = draw(SampleScreens.ticket, width: 40, height: 12, focused: false)
        #expect(focused[0, 0].character == "┏")
        #expect(focused[0, 0].style.bold)
        #expect(plain[0, 0].character == "┌")
        #expect(focused[3, 0].style.inverse)  // title
        #expect(!plain[3, 0].style.inverse)
    }

    @Test func bannerUsesBigLettersWhenItFitsAndTextOtherwise() {
        let big = draw(SampleScreens.ticket, width: 40, height: 16).plainLines()
        #expect(big.contains { $0.contains("█") })
        #expect(!big.contains { $0.contains("A023") })
        let small = draw(SampleScreens.ticket, width: 40, height: 9).plainLines()
        #expect(!small.contains { $0.contains("█") })
        #expect(small.contains { $0.contains("A023") })
        let narrow = draw(SampleScreens.ticket, width: 20, height: 20).plainLines()
        #expect(narrow.contains { $0.contains("A023") })
        // Not in the font: plain bold text.
        let cjk = draw(Screen(title: "", blocks: [.banner("户籍办理", .accent)], footer: ""), width: 40, height: 12)
        #expect(cjk.plainLines().contains { $0.contains("户籍办理") })
    }

    @Test func choicesAreColouredByTone() {
        let canvas = draw(SampleScreens.rating, width: 80, height: 24)
        let lines = canvas.plainLines()
        for (label, tone) in [("非常满意", Tone.good), ("满意", .fair), ("一般", .warning), ("不满意", .alert)] {
            guard let y = lines.firstIndex(where: { $0.contains(" " + label + " ") }),
                let r = lines[y].range(of: " " + label + " ")
            else {
                Issue.record("\(label) not found"); continue
            }
            // Display columns in a plain line are canvas columns (a wide character takes two of each).
            let x = DisplayWidth.of(String(lines[y][..<r.lowerBound])) + 1
            #expect(canvas[x, y].character == label.first)
            #expect(canvas[x, y].style.tone == tone, "\(label)")
        }
    }

    @Test(arguments: [(80, 24), (100, 30), (160, 50), (60, 40), (40, 12), (60, 50)])
    func demoTilesOneToFourStations(size: (Int, Int)) {
        let (w, h) = size
        for count in 1...4 { for underFirst in [0, 1] {
            let screens = Array(SampleScreens.all.prefix(count))
            let frames = DemoLayout.frames(count: count, width: w, height: h - 1, underFirst: underFirst)
            #expect(frames.count == count)
            // Frames tile the area exactly.
            #expect(frames.reduce(0) { $0 + $1.width * $1.height } == w * (h - 1))
            for (i, f) in frames.enumerated() {
                for g in frames[(i + 1)...] { #expect(f.intersection(g).isEmpty) }
            }
            let canvas = DemoLayout.render(screens, focus: count - 1, width: w, height: h, hint: "Tab: next station", underFirst: underFirst)
            #expect(canvas.plainLines().last == "Tab: next station")
            #expect(wideCharactersAreWhole(canvas))
        } }
        // The board (last) under the lobby when the terminal is wide and tall enough.
        let withBoard = DemoLayout.frames(count: 4, width: w, height: h - 1, underFirst: 1)
        if w >= 80 && h - 1 >= DemoLayout.minimumSplitHeight {
            #expect(withBoard[3].x == 0 && withBoard[3].y == withBoard[0].height)
            #expect(withBoard[1].x == withBoard[0].width && withBoard[2].y == withBoard[1].height)
        } else {
            #expect(withBoard == DemoLayout.frames(count: 4, width: w, height: h - 1))
        }
        let frames = DemoLayout.frames(count: 3, width: w, height: h - 1)
        if w >= 80 {
            #expect(frames[0].height == h - 1 && frames[0].x == 0)  // lobby: left half
            #expect(frames[1].x == frames[0].width && frames[2].y == frames[1].height)  // counters stacked
        } else {
            #expect(frames[0].width == w && frames[1].y == frames[0].height)  // lobby on top
        }
    }
}
