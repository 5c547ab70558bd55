import KioskCore

/// One station's picture on one framebuffer: the screen is painted in RAM only when it changed,
/// and only the changed tiles are converted and written to the framebuffer.
public final class StationDisplay {
    public let framebuffer: Framebuffer
    public let canvas: Canvas
    public let painter: ScreenPainter
    private var shown: Screen?
    private var shownItems: [DrawItem]?
    /// False while another VT has the console: draw nothing until it is back.
    public var isActive = true

    public init(framebuffer: Framebuffer, painter: ScreenPainter) {
        self.framebuffer = framebuffer
        self.painter = painter
        let (w, h) = framebuffer.logicalSize
        canvas = Canvas(width: w, height: h, background: painter.theme.background)
    }

    /// Opens a `fb:` or `file:` display.
    public static func open(_ spec: DisplaySpec, rotation: Int, painter: ScreenPainter) throws -> StationDisplay {
        let turn = Rotation(rawValue: rotation) ?? .none
        switch spec {
        case .framebuffer(let path):
            return StationDisplay(framebuffer: try Framebuffer.openDevice(path, rotation: turn), painter: painter)
        case .file(let path, let w, let h, let bpp):
            guard let format = PixelFormat.standard(bitsPerPixel: bpp) else { throw DisplayError("bpp=\(bpp) is not supported; use 16, 24 or 32") }
            return StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: FramebufferGeometry(width: w, height: h, format: format), rotation: turn),
                                  painter: painter)
        case .terminal:
            throw DisplayError("display = terminal has no framebuffer; run kioskd --demo to see terminal stations")
        }
    }

    /// Shows `screen`; returns the rectangles written (empty when nothing changed). When the new
    /// layout has the same items as the last one, only the area of the items that differ is
    /// repainted and flushed (a new ticket number touches a few percent of the screen).
    @discardableResult
    public func show(_ screen: Screen) -> [PixelRect] {
        guard isActive else { return [] }
        if screen != shown {
            let items = painter.layout(screen, width: canvas.width, height: canvas.height)
            if let old = shownItems, old.count == items.count {
                var damage = PixelRect(x: 0, y: 0, width: 0, height: 0)
                for (a, b) in zip(old, items) where a != b {
                    damage = damage.union(painter.bounds(of: a)).union(painter.bounds(of: b))
                }
                if !damage.isEmpty { painter.draw(items, on: canvas, clip: damage.intersection(canvas.bounds)) }
            } else {
                painter.draw(items, on: canvas)
            }
            shown = screen
            shownItems = items
        }
        let rects = canvas.takeDirtyRects()
        if !rects.isEmpty { framebuffer.flush(canvas, rects: rects) }
        return rects
    }

    /// After the console comes back from another VT: everything is drawn again.
    public func redrawAll() {
        canvas.invalidate()
        isActive = true
        if let s = shown { shown = nil; shownItems = nil; show(s) }
        framebuffer.rewriteVisibleArea()
    }
}

/// Font sets by source, so stations with the same font share one glyph cache.
public final class FontLibrary {
    private var sets: [String: FontSet] = [:]
    public init() {}

    public func fonts(_ spec: String?) throws -> FontSet {
        let key = spec ?? ""
        if let s = sets[key] { return s }
        let set = try FontSet(preferred: spec.map { FontSource(spec: $0) })
        sets[key] = set
        return set
    }
}
