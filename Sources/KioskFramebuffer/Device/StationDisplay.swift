import KioskCore

/// One station's picture on one framebuffer: the screen is laid out again only when it changed,
/// and only the area of the items that differ is drawn and written to the framebuffer.
///
/// The picture is never kept whole in RAM (8 MB at 1920×1080×32): it is drawn band by band into
/// one reused band of `bandHeight` rows, each band converted into the framebuffer as soon as it
/// is drawn (and still in the CPU cache). Every pixel of an area is drawn afresh from the layout
/// (it starts with the background), so nothing needs to be kept from one frame to the next.
public final class StationDisplay {
    public let framebuffer: Framebuffer
    public let painter: ScreenPainter
    /// The picture size (the panel turned by the rotation).
    public let width: Int
    public let height: Int
    /// Rows drawn at a time: 1920 × 32 × 4 bytes = 240 KB, small enough for a core's L2 cache.
    public static let bandHeight = 32
    private let band: Canvas
    private var shown: Screen?
    private var shownItems: [DrawItem]?
    /// The pixels each of `shownItems` really drew (`ScreenPainter.inkBounds(of:)`): kept, so
    /// an update measures only the items that changed.
    private var shownInk: [PixelRect] = []
    /// False while another VT has the console: draw nothing until it is back.
    public var isActive = true

    public init(framebuffer: Framebuffer, painter: ScreenPainter) {
        self.framebuffer = framebuffer
        self.painter = painter
        (width, height) = framebuffer.logicalSize
        band = Canvas(width: width, height: min(height, StationDisplay.bandHeight), background: painter.theme.background)
    }

    /// The picture rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// Opens a `fb:` or `file:` display.
    public static func open(_ spec: DisplaySpec, rotation: Int, painter: ScreenPainter) throws -> StationDisplay {
        let turn = Rotation(rawValue: rotation) ?? .none
        switch spec {
        case .framebuffer(let path):
            return StationDisplay(framebuffer: try Framebuffer.openDevice(path, rotation: turn), painter: painter)
        case .file(let path, let w, let h, let bpp):
            guard let format = PixelFormat.standard(bitsPerPixel: bpp) else { throw DisplayError(.unsupportedFormat, "bpp=\(bpp) is not supported; use 16, 24 or 32") }
            return StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: FramebufferGeometry(width: w, height: h, format: format), rotation: turn),
                                  painter: painter)
        case .terminal:
            throw DisplayError(.noFramebuffer, "display = terminal has no framebuffer; run kioskd --demo to see terminal stations")
        }
    }

    /// Shows `screen`; returns the rectangles written (empty when nothing changed). When the new
    /// layout has the same items as the last one, only the area of the items that differ is
    /// drawn and flushed (a new ticket number touches a few percent of the screen; of a text
    /// changed in place, only its changed glyphs): the pixels the old items drew and the new
    /// ones draw. Outside them both pictures are the same items drawn in the same order, so the
    /// same pixels.
    @discardableResult
    public func show(_ screen: Screen) -> [PixelRect] {
        guard isActive, screen != shown else { return [] }
        let items = painter.layout(screen, width: width, height: height)
        var area = bounds
        var ink: [PixelRect]
        if let old = shownItems, old.count == items.count {
            var damage = PixelRect(x: 0, y: 0, width: 0, height: 0)
            ink = shownInk
            for i in items.indices where old[i] != items[i] {
                ink[i] = painter.inkBounds(of: items[i])
                damage = damage.union(painter.changedInk(from: old[i], oldInk: shownInk[i], to: items[i], newInk: ink[i]))
            }
            area = damage.intersection(bounds)
        } else {
            ink = items.map(painter.inkBounds(of:))
        }
        shown = screen
        shownItems = items
        shownInk = ink
        guard !area.isEmpty else { return [] }
        if framebuffer.flushesWholeRows {
            // The rows go out whole: draw them whole, or the reused band's other pixels (the
            // rows it last held) would be written with them.
            area = PixelRect(x: 0, y: area.y, width: width, height: area.height)
        }
        draw(items, ink: ink, in: area)
        return [area]
    }

    /// After the console comes back from another VT: everything is drawn again, written through
    /// write(2) (see `Framebuffer.writesThroughDevice`).
    public func redrawAll() {
        isActive = true
        let writes = framebuffer.writesThroughDevice
        framebuffer.writesThroughDevice = true
        repaintAll()
        framebuffer.writesThroughDevice = writes
    }

    /// Lays the shown screen out again and draws and writes every pixel: a full frame (what
    /// `redrawAll` draws, and what kiosk-bench times).
    public func repaintAll() {
        if let s = shown { shown = nil; shownItems = nil; shownInk = []; show(s) }
    }

    /// Draws `area` of the layout band by band, flushing each band as soon as it is drawn;
    /// `ink`: each item's `inkBounds`.
    private func draw(_ items: [DrawItem], ink: [PixelRect], in area: PixelRect) {
        // The last band is moved up to stay inside the picture; the clip keeps to `area`.
        var tops: [Int] = []
        var top = area.y
        while top < area.maxY {
            tops.append(top)
            top = min(area.maxY, min(top, height - band.height) + band.height)
        }
        for top in framebuffer.drawsBandsBottomUp ? tops.reversed() : tops {
            band.move(toY: min(top, height - band.height))
            var rows = PixelRect(x: area.x, y: top, width: area.width, height: min(area.maxY, band.bounds.maxY) - top)
            if framebuffer.flushesWholeRows && rows.height == 1 {
                // A write of one whole row never reaches the screen, so `flush` takes the next
                // row (or the one before) along: draw that one too, by the same rule.
                if rows.maxY < band.originY + band.height { rows.height = 2 } else if rows.y > band.originY { rows.y -= 1; rows.height = 2 }
            }
            painter.draw(items, ink: ink, on: band, clip: rows)
            framebuffer.flush(band, rects: [rows])
        }
    }
}

/// Font sets by source, so stations with the same font share one glyph cache; with a
/// `cacheDirectory`, each set's glyphs are also kept in a file there between starts
/// (`FontSet.loadGlyphCache`), named after its fonts.
public final class FontLibrary {
    private var sets: [String: FontSet] = [:]
    public let cacheDirectory: String?
    public init(cacheDirectory: String? = nil) { self.cacheDirectory = cacheDirectory }

    public func fonts(_ spec: String?) throws -> FontSet {
        let key = spec ?? ""
        if let s = sets[key] { return s }
        let set = try FontSet.cached(preferred: spec.map { FontSource(spec: $0) }) { cachePath($0) }
        sets[key] = set
        return set
    }

    /// `glyphs-HASH.cache` in the cache folder, HASH from the set's font sources.
    func cachePath(_ set: FontSet) -> String? { cachePath(set.sources) }

    func cachePath(_ sources: [FontSource]) -> String? {
        guard let cacheDirectory else { return nil }
        let hash = Array(sources.map(\.description).joined(separator: "\n").utf8).withUnsafeBytes { FontSet.checksum($0) }
        return cacheDirectory + "/glyphs-" + String(hash, radix: 16) + ".cache"
    }

    /// Writes the glyph cache of every set that rendered something new; what failed, one
    /// message each (the kiosk draws on without the file: it only makes starts faster).
    public func saveGlyphCaches() -> [String] {
        sets.values.compactMap { set in
            guard let path = cachePath(set) else { return nil }
            do { try set.saveGlyphCache(path: path) } catch {
                return "the glyph cache \(path) cannot be written (starts draw their first frame more slowly; check the folder's permissions and free space): \(error)"
            }
            return nil
        }
    }
}
