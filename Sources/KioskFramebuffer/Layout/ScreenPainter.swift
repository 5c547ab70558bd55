import KioskCore

/// One thing to draw, in picture coordinates. The layout is a list of these so tests can check
/// it (the banner is the largest text, the choices are in order) without looking at pixels.
public enum DrawItem: Equatable, Sendable {
    case rect(PixelRect, Color)
    /// Text with the top of its line box at (x, y).
    case text(String, x: Int, y: Int, size: Int, Color)
}

/// Lays out a `Screen` (the same model the text console draws) for a picture of any size, from
/// 800×480 to 1920×1080 and portrait 1080×1920: a title bar, the blocks top to bottom, a footer.
/// Text sizes follow the short side (larger on a portrait picture when the blocks fit); when the
/// blocks do not fit, everything shrinks step by step;
/// the banner (the ticket number) takes the height left over, so it is always the largest text.
public final class ScreenPainter {
    public let text: TextDrawing
    public let theme: Theme
    /// The paragraphs of the last two layouts, wrapped (most of a layout's cost; `WrapMemo`).
    var wraps = WrapMemo()

    public init(fonts: FontSet, theme: Theme = Theme()) {
        self.text = TextDrawing(fonts: fonts)
        self.theme = theme
    }

    /// Draws `screen` over the whole canvas.
    public func paint(_ screen: Screen, on canvas: Canvas) {
        draw(layout(screen, width: canvas.width, height: canvas.height), on: canvas)
    }

    /// Draws a layout, only inside `clip` when given (a partial repaint gives the same pixels as
    /// a full one inside the clip).
    public func draw(_ items: [DrawItem], on canvas: Canvas, clip: PixelRect? = nil) {
        draw(items, ink: clip == nil ? nil : items.map(inkBounds(of:)), on: canvas, clip: clip)
    }

    /// `draw` with the items' ink bounds measured beforehand (`inkBounds(of:)`, same order), so a
    /// picture drawn band by band measures its text once, not once a band.
    func draw(_ items: [DrawItem], ink: [PixelRect]?, on canvas: Canvas, clip: PixelRect?) {
        for (i, item) in items.enumerated() {
            switch item {
            case .rect(let r, let c): canvas.fill(clip.map { r.intersection($0) } ?? r, c)
            case .text(let s, let x, let y, let size, let c):
                if let clip, let ink, ink[i].intersection(clip).isEmpty { continue }
                text.draw(s, x: x, y: y, size: size, color: c, on: canvas, clip: clip)
            }
        }
    }

    /// The pixels an item really draws (text: the union of its glyphs' bitmaps, overhangs included).
    public func inkBounds(of item: DrawItem) -> PixelRect {
        switch item {
        case .rect(let r, _): return r
        case .text(let s, let x, let y, let size, _): return text.inkBounds(s, x: x, y: y, size: size)
        }
    }

    /// The pixels that differ between the picture with `old` and the one with `new` in its
    /// place (`oldInk`, `newInk`: their `inkBounds`): for two texts on the same line in the same
    /// size and colour, only the glyphs that changed (`TextDrawing.changedInk`); otherwise
    /// both items' ink.
    func changedInk(from old: DrawItem, oldInk: PixelRect, to new: DrawItem, newInk: PixelRect) -> PixelRect {
        if case .text(let a, let ax, let ay, let size, let color) = old, case .text(let b, let bx, let by, let bsize, let bcolor) = new,
           ay == by, size == bsize, color == bcolor {
            return text.changedInk(a, x: ax, to: b, x: bx, y: ay, size: size)
        }
        return oldInk.union(newInk)
    }

    /// The base text size for a picture: 5% of the short side (24 px at 800×480, 54 px at 1080).
    public static func baseSize(width: Int, height: Int) -> Int { max(14, min(width, height) * 5 / 100) }

    public func layout(_ screen: Screen, width: Int, height: Int) -> [DrawItem] {
        wraps.beginLayout()
        let base = ScreenPainter.baseSize(width: width, height: height)
        var items: [DrawItem] = [.rect(PixelRect(x: 0, y: 0, width: width, height: height), theme.background)]
        // Title bar.
        let titleSize = base
        let titleBar = titleSize * 9 / 5
        let margin = base
        items.append(.rect(PixelRect(x: 0, y: 0, width: width, height: titleBar), theme.titleBar))
        let titleLine = fitted(screen.title, size: titleSize, maxWidth: width - 2 * margin)
        items.append(.text(titleLine.text, x: margin, y: (titleBar - lineHeight(titleLine.size)) / 2, size: titleLine.size, theme.titleText))
        // Footer.
        let footerSize = max(12, base * 3 / 4)
        let footerBar = footerSize * 8 / 5
        if !screen.footer.isEmpty {
            items.append(.rect(PixelRect(x: 0, y: height - footerBar, width: width, height: footerBar), theme.footerBar))
            let f = fitted(screen.footer, size: footerSize, maxWidth: width - 2 * margin)
            items.append(.text(f.text, x: margin, y: height - footerBar + (footerBar - lineHeight(f.size)) / 2, size: f.size, theme.footerText))
        }
        // Blocks, shrinking until they fit.
        let top = titleBar + base / 2
        let bottom = height - (screen.footer.isEmpty ? 0 : footerBar) - base / 3
        let area = PixelRect(x: margin, y: top, width: width - 2 * margin, height: bottom - top)
        // The base size follows the short side, so a portrait picture (1080×1920) would use only
        // its top third: there, a screen without a banner (the banner already takes the height
        // left) tries larger type first, up to 1.6× (about what 1920 px give a landscape
        // picture's text per line of height), and keeps the largest that fits.
        let hasBanner = screen.blocks.contains { if case .banner = $0 { return true } else { return false } }
        var scale = height > width && !hasBanner ? min(160, 100 * height / width) / 10 * 10 : 100
        while true {
            if let blocks = layoutBlocks(screen.blocks, in: area, size: max(12, base * scale / 100), spread: height > width),
               scale <= 100 || fitsWidth(blocks, right: area.maxX) {
                return items + blocks
            }
            if scale <= 40 { return items + (layoutBlocks(screen.blocks, in: area, size: max(12, base * scale / 100), force: true) ?? []) }
            scale -= 10
        }
    }

    /// Whether every text item ends inside `right`: larger type is kept only when no table row,
    /// tile label or unbreakable word is pushed past the edge by it.
    private func fitsWidth(_ items: [DrawItem], right: Int) -> Bool {
        items.allSatisfy { item in
            if case .text(let s, let x, _, let size, _) = item { return x + text.width(s, size: size) <= right }
            return true
        }
    }

    // MARK: - Blocks

    private func lineHeight(_ size: Int) -> Int { size * 13 / 10 }

    /// The text, shrunk (down to 60%) and then cut with "…" until it fits `maxWidth`.
    private func fitted(_ s: String, size: Int, maxWidth: Int) -> (text: String, size: Int) {
        var size = size
        while size > 12 && text.width(s, size: size) > maxWidth && size * 10 > size * 6 { size = size * 9 / 10; if size < 12 { break } }
        if text.width(s, size: size) <= maxWidth { return (s, size) }
        var cut = s
        while !cut.isEmpty && text.width(cut + "…", size: size) > maxWidth { cut.removeLast() }
        return (cut + "…", size)
    }

    private struct Planned {
        var height: Int
        var draw: (_ y: Int) -> [DrawItem]
    }

    /// Lays the blocks out at text size `size`; nil when they do not fit (unless `force`).
    /// `spread`: height left over (no banner to take it) goes between the blocks, up to one text
    /// size per gap, so a tall picture is not one crowded band at the top.
    private func layoutBlocks(_ blocks: [Block], in area: PixelRect, size: Int, force: Bool = false, spread: Bool = false) -> [DrawItem]? {
        var planned: [Planned?] = []  // nil marks a banner, sized afterwards
        var banners: [(String, Tone)] = []
        for block in blocks {
            switch block {
            case .banner(let s, let tone):
                banners.append((s, tone)); planned.append(nil)
            default:
                planned.append(plan(block, width: area.width, size: size))
            }
        }
        let fixed = planned.compactMap { $0?.height }.reduce(0, +)
        var bannerHeight = 0
        if !banners.isEmpty {
            let left = (area.height - fixed) / banners.count
            // At least twice the text size, at most half the area.
            bannerHeight = min(left, area.height / 2)
            if bannerHeight < size * 5 / 2 && !force { return nil }
            bannerHeight = max(bannerHeight, size * 5 / 2)
        } else if fixed > area.height && !force {
            return nil
        }
        // A heading stays with the block under it: gaps go between the other neighbours.
        let gapBefore = blocks.indices.map { i -> Bool in
            guard i > 0 else { return false }
            if case .heading = blocks[i - 1] { return false }
            return true
        }
        var gap = 0
        let gaps = gapBefore.filter { $0 }.count
        if spread && banners.isEmpty && gaps > 0 && fixed < area.height {
            gap = min(size, (area.height - fixed) / gaps)
        }
        var items: [DrawItem] = []
        var y = area.y
        var b = 0
        for (i, p) in planned.enumerated() {
            if gapBefore[i] { y += gap }
            if let p {
                items += p.draw(y).map { $0.offset(dx: area.x) }
                y += p.height
            } else {
                items += banner(banners[b].0, tone: banners[b].1, frame: PixelRect(x: area.x, y: y, width: area.width, height: bannerHeight), minimum: size * 2)
                y += bannerHeight
                b += 1
            }
        }
        return items
    }

    private func plan(_ block: Block, width: Int, size: Int) -> Planned {
        switch block {
        case .spacer:
            return Planned(height: size * 3 / 5) { _ in [] }
        case .heading(let s):
            let hs = size * 11 / 10
            let line = fitted(s, size: hs, maxWidth: width)
            let rule = max(2, size / 12)
            let h = lineHeight(line.size) + rule + size / 3
            return Planned(height: h) { [theme] y in
                [.text(line.text, x: 0, y: y, size: line.size, theme.heading),
                 .rect(PixelRect(x: 0, y: y + self.lineHeight(line.size), width: width, height: rule), theme.headingRule)]
            }
        case .text(let s, let tone):
            let lines = wraps.lines(s, size: size, maxWidth: width) { text.wrap(s, size: size, maxWidth: width) }
            let lh = lineHeight(size)
            return Planned(height: lh * lines.count + size / 4) { [theme] y in
                lines.enumerated().map { .text($0.element, x: 0, y: y + $0.offset * lh, size: size, theme.text(tone)) }
            }
        case .table(let rows):
            return planTable(rows, width: width, size: size)
        case .choices(let choices):
            return planChoices(choices, width: width, size: size)
        case .banner(let s, let tone):
            return Planned(height: size * 3) { y in self.banner(s, tone: tone, frame: PixelRect(x: 0, y: y, width: width, height: size * 3), minimum: size * 2) }
        }
    }

    private func planTable(_ rows: [[String]], width: Int, size: Int) -> Planned {
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0 else { return Planned(height: 0) { _ in [] } }
        var ts = size
        var widths: [Int] = []
        while true {
            let gap = ts
            widths = (0..<columns).map { c in rows.map { c < $0.count ? text.width($0[c], size: ts) : 0 }.max() ?? 0 }
            if widths.reduce(0, +) + gap * (columns - 1) + ts <= width || ts <= max(12, size * 6 / 10) { break }
            ts = ts * 9 / 10
        }
        let gap = ts
        let lh = ts * 3 / 2
        let height = lh * rows.count + ts / 3
        return Planned(height: height) { [theme] y in
            var items: [DrawItem] = []
            for (r, row) in rows.enumerated() {
                let rowY = y + r * lh
                if r > 0 && r % 2 == 0 { items.append(.rect(PixelRect(x: 0, y: rowY, width: width, height: lh), theme.tableStripe)) }
                var x = ts / 2
                for (c, cell) in row.enumerated() {
                    let colour = r == 0 ? theme.tableHeader : c == 0 ? theme.text(.accent) : theme.text(.normal)
                    items.append(.text(cell, x: x, y: rowY + (lh - self.lineHeight(ts)) / 2, size: ts, colour))
                    x += widths[c] + gap
                }
                if r == 0 { items.append(.rect(PixelRect(x: 0, y: rowY + lh - max(1, ts / 16), width: width, height: max(1, ts / 16)), theme.headingRule)) }
            }
            return items
        }
    }

    private func planChoices(_ choices: [Choice], width: Int, size: Int) -> Planned {
        guard !choices.isEmpty else { return Planned(height: 0) { _ in [] } }
        let gap = size / 2
        let tileWidth = (width - gap * (choices.count - 1)) / choices.count
        let keySize = size * 8 / 5
        let tileHeight = lineHeight(keySize) + lineHeight(size) + size
        return Planned(height: tileHeight + size / 2) { [theme] y in
            var items: [DrawItem] = []
            for (i, choice) in choices.enumerated() {
                let x = i * (tileWidth + gap)
                let colours = theme.choice(choice.tone)
                items.append(.rect(PixelRect(x: x, y: y, width: tileWidth, height: tileHeight), colours.tile))
                let keyWidth = self.text.width(choice.key, size: keySize)
                items.append(.text(choice.key, x: x + (tileWidth - keyWidth) / 2, y: y + size / 3, size: keySize, colours.text))
                let label = self.fitted(choice.label, size: size, maxWidth: tileWidth - size / 2)
                let labelWidth = self.text.width(label.text, size: label.size)
                items.append(.text(label.text, x: x + (tileWidth - labelWidth) / 2, y: y + size / 3 + self.lineHeight(keySize), size: label.size, colours.text))
            }
            return items
        }
    }

    /// The banner text as large as fits the frame's height and width, centred on a panel.
    private func banner(_ s: String, tone: Tone, frame: PixelRect, minimum: Int) -> [DrawItem] {
        let inset = max(2, frame.height / 12)
        var size = max(minimum, (frame.height - 2 * inset) * 10 / 13)
        while size > minimum && text.width(s, size: size) > frame.width * 9 / 10 { size = size * 19 / 20 }
        let w = text.width(s, size: size)
        let lh = lineHeight(size)
        return [
            .rect(PixelRect(x: frame.x, y: frame.y + inset / 2, width: frame.width, height: frame.height - inset), theme.bannerPanel),
            .text(s, x: frame.x + (frame.width - w) / 2, y: frame.y + (frame.height - lh) / 2, size: size, theme.text(tone)),
        ]
    }
}

extension DrawItem {
    /// The same item moved right by `dx` (blocks are planned from x = 0).
    func offset(dx: Int) -> DrawItem {
        switch self {
        case .rect(var r, let c): r.x += dx; return .rect(r, c)
        case .text(let s, let x, let y, let size, let c): return .text(s, x: x + dx, y: y, size: size, c)
        }
    }
}
