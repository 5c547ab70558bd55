import KioskCore

/// Draws one station's `Screen` as a boxed panel on a `TextCanvas`.
///
/// The panel is a box (light border, or a heavy accent border with an inverse title when focused)
/// with the title in the top border, the blocks top to bottom inside, and the footer on the last
/// inner row (under a rule when there is room). Everything is clipped to the frame. When the
/// blocks do not fit, the layout degrades in steps: a smaller banner, then one-line choices, then
/// the banner as plain bold text; whatever still does not fit is cut at the bottom.
public enum ScreenLayout {
    public static func draw(_ screen: Screen, into canvas: inout TextCanvas, frame: Rect, focused: Bool) {
        let frame = frame.intersection(canvas.bounds)
        guard !frame.isEmpty else { return }
        canvas.fill(frame)
        let borderStyle = focused ? CellStyle(tone: .accent, bold: true) : CellStyle(tone: .muted)
        let titleStyle = focused ? CellStyle(tone: .accent, bold: true, inverse: true) : CellStyle(bold: true)

        guard frame.width >= 4, frame.height >= 3 else {
            // Too small for a box: the title alone.
            canvas.put(screen.title, x: frame.x, y: frame.y, style: titleStyle, maxWidth: frame.width)
            return
        }
        let box = focused ? BoxChars.heavy : BoxChars.light
        drawBox(box, frame, style: borderStyle, into: &canvas)
        if !screen.title.isEmpty {
            let title = DisplayWidth.truncate(" \(screen.title) ", toWidth: frame.width - 4)
            canvas.put(title, x: frame.x + 2, y: frame.y, style: titleStyle, maxWidth: frame.width - 4)
        }

        let inner = frame.inset(dx: 1, dy: 1)
        guard !inner.isEmpty else { return }
        let pad = inner.width >= 16 ? 1 : 0
        var body = Rect(x: inner.x + pad, y: inner.y, width: inner.width - 2 * pad, height: inner.height)

        if !screen.footer.isEmpty, inner.height >= 2 {
            let footerY = inner.maxY - 1
            canvas.put(
                DisplayWidth.truncate(screen.footer, toWidth: body.width), x: body.x, y: footerY,
                style: CellStyle(tone: .muted), maxWidth: body.width)
            body.height -= 1
            if inner.height >= 8 {
                // A rule between body and footer, joined to the border.
                let ruleY = footerY - 1
                canvas.put(String(box.teeLeft), x: frame.x, y: ruleY, style: borderStyle)
                canvas.put(
                    String(repeating: box.horizontal, count: inner.width), x: inner.x, y: ruleY,
                    style: borderStyle, maxWidth: inner.width)
                canvas.put(String(box.teeRight), x: frame.maxX - 1, y: ruleY, style: borderStyle)
                body.height -= 1
            }
        }
        guard body.height > 0, body.width > 0 else { return }

        let lines = layoutBlocks(screen.blocks, width: body.width, height: body.height)
        var y = body.y
        if lines.count + 1 <= body.height && body.height >= 6 { y += 1 }  // breathing room at the top
        for line in lines {
            if y >= body.maxY { break }
            for seg in line.segments where seg.x < body.width {
                canvas.put(seg.text, x: body.x + seg.x, y: y, style: seg.style, maxWidth: body.width - seg.x)
            }
            y += 1
        }
    }

    // MARK: - Box

    struct BoxChars {
        var topLeft, topRight, bottomLeft, bottomRight, horizontal, vertical, teeLeft, teeRight: Character
        static let light = BoxChars(
            topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", horizontal: "─", vertical: "│",
            teeLeft: "├", teeRight: "┤")
        static let heavy = BoxChars(
            topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛", horizontal: "━", vertical: "┃",
            teeLeft: "┣", teeRight: "┫")
        static let rounded = BoxChars(
            topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯", horizontal: "─", vertical: "│",
            teeLeft: "├", teeRight: "┤")
    }

    static func drawBox(_ b: BoxChars, _ r: Rect, style: CellStyle, into canvas: inout TextCanvas) {
        guard r.width >= 2, r.height >= 2 else { return }
        let h = String(repeating: b.horizontal, count: r.width - 2)
        canvas.put(String(b.topLeft) + h + String(b.topRight), x: r.x, y: r.y, style: style, maxWidth: r.width)
        canvas.put(
            String(b.bottomLeft) + h + String(b.bottomRight), x: r.x, y: r.maxY - 1, style: style, maxWidth: r.width)
        for row in (r.y + 1)..<(r.maxY - 1) {
            canvas.put(String(b.vertical), x: r.x, y: row, style: style)
            canvas.put(String(b.vertical), x: r.maxX - 1, y: row, style: style)
        }
    }

    // MARK: - Block layout

    /// One row of laid-out content: pieces of text at column offsets from the body's left edge.
    struct Line {
        struct Segment { var x: Int; var text: String; var style: CellStyle }
        var segments: [Segment] = []
        init(_ segments: [Segment] = []) { self.segments = segments }
        init(_ text: String, x: Int = 0, style: CellStyle = .plain) {
            segments = [Segment(x: x, text: text, style: style)]
        }
    }

    enum BannerMode: Equatable { case big(sx: Int, sy: Int), text }
    /// Banner font scales, largest first: columns and rows per font pixel. A terminal cell is
    /// about twice as tall as wide, so 2×1 and 4×2 pixels look square.
    static let bannerScales: [(sx: Int, sy: Int)] = [(4, 2), (3, 2), (2, 2), (2, 1), (1, 1)]
    enum ChoicesMode: Equatable { case boxed, compact }

    /// Lays out the blocks for a body `width` columns wide, choosing the largest banner and choice
    /// presentation for which everything fits in `height` rows (cut at the bottom if nothing does).
    static func layoutBlocks(_ blocks: [Block], width: Int, height: Int) -> [Line] {
        let bigModes: [BannerMode] = bannerScales.map { .big(sx: $0.sx, sy: $0.sy) }
        var candidates: [(BannerMode, ChoicesMode)] = []
        for c in [ChoicesMode.boxed, .compact] { for b in bigModes { candidates.append((b, c)) } }
        candidates.append((.text, .boxed))
        candidates.append((.text, .compact))
        var last: [Line] = []
        // Spacers are the first thing to go when nothing else helps.
        let withoutSpacers = blocks.filter { $0 != .spacer }
        for (b, c) in candidates {
            for list in withoutSpacers.count == blocks.count ? [blocks] : [blocks, withoutSpacers] {
                let lines = list.flatMap { render($0, width: width, banner: b, choices: c) }
                if lines.count <= height { return lines }
                last = lines
            }
        }
        return last
    }

    static func render(_ block: Block, width: Int, banner: BannerMode, choices: ChoicesMode) -> [Line] {
        guard width > 0 else { return [] }
        switch block {
        case .spacer:
            return [Line()]
        case .heading(let s):
            return DisplayWidth.wrap(s, width: width).map { Line($0, style: CellStyle(bold: true)) }
        case .text(let s, let tone):
            return DisplayWidth.wrap(s, width: width).map { Line($0, style: CellStyle(tone: tone)) }
        case .banner(let s, let tone):
            return renderBanner(s, tone: tone, width: width, mode: banner)
        case .table(let rows):
            return renderTable(rows, width: width)
        case .choices(let list):
            return renderChoices(list, width: width, mode: choices)
        }
    }

    static func renderBanner(_ s: String, tone: Tone, width: Int, mode: BannerMode) -> [Line] {
        let style = CellStyle(tone: tone, bold: true)
        if case .big(let maxX, let maxY) = mode, BigFont.canRender(s) {
            // The largest scale up to the requested one that fits the width.
            for (sx, sy) in bannerScales where sx <= maxX && sy <= maxY {
                let w = BigFont.width(of: s, scaleX: sx)
                guard w <= width, let rows = BigFont.render(s, scaleX: sx, scaleY: sy) else { continue }
                return rows.map { Line($0, x: (width - w) / 2, style: style) }
            }
        }
        // Plain bold text, centred, wrapped if it must.
        return DisplayWidth.wrap(s, width: width).map { line in
            Line(line, x: max(0, (width - DisplayWidth.of(line)) / 2), style: style)
        }
    }

    /// Column widths for a table: each column as wide as its widest cell, shrunk (widest first)
    /// until the columns and the gaps between them fit in `width`.
    static func columnWidths(_ rows: [[String]], width: Int, gap: Int) -> [Int] {
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0 else { return [] }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) }
        }
        let available = width - gap * (columns - 1)
        while widths.reduce(0, +) > max(available, columns) {
            let i = widths.indices.max { widths[$0] < widths[$1] }!
            if widths[i] <= 1 { break }
            widths[i] -= 1
        }
        return widths
    }

    static func renderTable(_ rows: [[String]], width: Int) -> [Line] {
        guard !rows.isEmpty else { return [] }
        let natural = columnWidths(rows, width: Int.max / 4, gap: 0)
        let columns = natural.count
        guard columns > 0 else { return [] }
        // Wider gaps when there is room.
        let gap = natural.reduce(0, +) + 4 * (columns - 1) <= width ? 4 : 2
        let widths = columnWidths(rows, width: width, gap: gap)
        var lines: [Line] = []
        for (r, row) in rows.enumerated() {
            var line = Line()
            var x = 0
            for i in 0..<columns {
                if x >= width { break }
                let cell = i < row.count ? row[i] : ""
                let text = DisplayWidth.truncate(cell, toWidth: min(widths[i], width - x))
                if !text.isEmpty {
                    line.segments.append(.init(x: x, text: text, style: CellStyle(bold: r == 0)))
                }
                x += widths[i] + gap
            }
            lines.append(line)
            if r == 0 && rows.count > 1 {
                let total = min(width, widths.reduce(0, +) + gap * (columns - 1))
                lines.append(Line(String(repeating: "─", count: total), style: CellStyle(tone: .muted)))
            }
        }
        return lines
    }

    static func renderChoices(_ choices: [Choice], width: Int, mode: ChoicesMode) -> [Line] {
        guard !choices.isEmpty else { return [] }
        let n = choices.count
        let gap = width >= n * 12 ? 2 : 1
        let buttonWidth = min(26, (width - gap * (n - 1)) / n)
        if mode == .boxed && buttonWidth >= 5 {
            let innerWidth = buttonWidth - 2
            let oneLine = choices.allSatisfy {
                DisplayWidth.of($0.key) + 1 + DisplayWidth.of($0.label) + 2 <= innerWidth
            }
            let total = buttonWidth * n + gap * (n - 1)
            let left = (width - total) / 2
            let rowCount = oneLine ? 3 : 4
            var lines = Array(repeating: Line(), count: rowCount)
            let h = String(repeating: "─", count: innerWidth)
            for (i, choice) in choices.enumerated() {
                let x = left + i * (buttonWidth + gap)
                let border = CellStyle(tone: choice.tone)
                let keyStyle = CellStyle(tone: choice.tone, bold: true)
                let labelStyle = CellStyle(tone: choice.tone)
                lines[0].segments.append(.init(x: x, text: "╭" + h + "╮", style: border))
                lines[rowCount - 1].segments.append(.init(x: x, text: "╰" + h + "╯", style: border))
                for r in 1..<(rowCount - 1) {
                    lines[r].segments.append(.init(x: x, text: "│", style: border))
                    lines[r].segments.append(.init(x: x + buttonWidth - 1, text: "│", style: border))
                }
                if oneLine {
                    let kw = DisplayWidth.of(choice.key)
                    let content = kw + 1 + DisplayWidth.of(choice.label)
                    let cx = x + 1 + (innerWidth - content) / 2
                    lines[1].segments.append(.init(x: cx, text: choice.key, style: keyStyle))
                    lines[1].segments.append(.init(x: cx + kw + 1, text: choice.label, style: labelStyle))
                } else {
                    let key = DisplayWidth.truncate(choice.key, toWidth: innerWidth)
                    let label = DisplayWidth.truncate(choice.label, toWidth: innerWidth)
                    lines[1].segments.append(
                        .init(x: x + 1 + (innerWidth - DisplayWidth.of(key)) / 2, text: key, style: keyStyle))
                    lines[2].segments.append(
                        .init(x: x + 1 + (innerWidth - DisplayWidth.of(label)) / 2, text: label, style: labelStyle))
                }
            }
            return lines
        }
        // Compact: "[1] label" pieces flowing over as many lines as needed.
        var lines: [Line] = []
        var line = Line()
        var x = 0
        for choice in choices {
            let key = "[\(choice.key)]"
            let piece = DisplayWidth.of(key) + 1 + DisplayWidth.of(choice.label)
            if x > 0 && x + 2 + piece > width {
                lines.append(line); line = Line(); x = 0
            } else if x > 0 {
                x += 2
            }
            line.segments.append(.init(x: x, text: key, style: CellStyle(tone: choice.tone, bold: true)))
            let labelX = x + DisplayWidth.of(key) + 1
            if labelX < width {
                line.segments.append(
                    .init(
                        x: labelX, text: DisplayWidth.truncate(choice.label, toWidth: width - labelX),
                        style: CellStyle(tone: choice.tone)))
            }
            x += piece
        }
        lines.append(line)
        return lines
    }
}

/// Tiles several stations' screens on one terminal for `--demo`.
public enum DemoLayout {
    /// Panel frames for `count` stations in a `width` × `height` area (the hint row excluded):
    /// station 0 (the lobby) takes the left half, or the top half when the area is narrow
    /// (under 80 columns) or short and wide; the others share the remaining part, stacked.
    /// The last `underFirst` stations (the waiting-room board: display only) go under the lobby
    /// in the left half when it is tall enough (`minimumSplitHeight` rows), where the lobby's
    /// short screen leaves room, instead of squeezing the counters.
    public static func frames(count: Int, width: Int, height: Int, underFirst: Int = 0) -> [Rect] {
        guard count > 0, width > 0, height > 0 else { return [] }
        if count == 1 { return [Rect(x: 0, y: 0, width: width, height: height)] }
        let sideBySide = width >= 80
        var frames: [Rect] = []
        let rest: Rect
        let under = min(max(underFirst, 0), count - 2)
        if sideBySide, under > 0, height >= minimumSplitHeight {
            let left = (width + 1) / 2
            let column = stack(count: 1 + under, in: Rect(x: 0, y: 0, width: left, height: height))
            let right = stack(count: count - 1 - under, in: Rect(x: left, y: 0, width: width - left, height: height))
            return [column[0]] + right + column.dropFirst()
        }
        if sideBySide {
            let left = (width + 1) / 2
            frames.append(Rect(x: 0, y: 0, width: left, height: height))
            rest = Rect(x: left, y: 0, width: width - left, height: height)
        } else {
            let top = (height + 1) / 2
            frames.append(Rect(x: 0, y: 0, width: width, height: top))
            rest = Rect(x: 0, y: top, width: width, height: height - top)
        }
        return frames + stack(count: count - 1, in: rest)
    }

    /// Rows a terminal needs before the board shares the lobby's half (lobby and board each get
    /// about 24 rows: both screens whole).
    public static let minimumSplitHeight = 44

    /// `count` panels stacked in `area`, sharing its rows evenly (earlier ones get the spare rows).
    static func stack(count: Int, in area: Rect) -> [Rect] {
        var frames: [Rect] = []
        var y = area.y
        for i in 0..<count {
            let h = area.height / count + (i < area.height % count ? 1 : 0)
            frames.append(Rect(x: area.x, y: y, width: area.width, height: h))
            y += h
        }
        return frames
    }

    /// Renders all stations into one canvas, the station at index `focus` highlighted, with
    /// `hint` (muted) on the bottom row.
    public static func render(_ screens: [Screen], focus: Int, width: Int, height: Int, hint: String = "", underFirst: Int = 0)
        -> TextCanvas
    {
        var canvas = TextCanvas(width: width, height: height)
        guard width > 0, height > 0 else { return canvas }
        let hasHint = !hint.isEmpty && height >= 2
        let area = hasHint ? height - 1 : height
        for (i, frame) in frames(count: screens.count, width: width, height: area, underFirst: underFirst).enumerated() {
            ScreenLayout.draw(screens[i], into: &canvas, frame: frame, focused: i == focus)
        }
        if hasHint {
            canvas.put(
                DisplayWidth.truncate(hint, toWidth: width), x: 0, y: height - 1, style: CellStyle(tone: .muted),
                maxWidth: width)
        }
        return canvas
    }
}
