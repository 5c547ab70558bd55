/// The picture in RAM, or a band of its rows: XRGB8888 pixels, row by row, `width` per row.
/// Everything is drawn here, and every drawing call records the rectangle it touched; the
/// framebuffer only ever receives converted copies of those rectangles, and is never read back.
public final class Canvas {
    public let width: Int
    public let height: Int
    /// The picture row shown by the first row of pixels: 0 for a whole picture; the band's top
    /// when a display draws the picture band by band (drawing always uses picture coordinates).
    public private(set) var originY = 0
    /// The pixels being drawn.
    public private(set) var pixels: UnsafeMutableBufferPointer<UInt32>
    /// Rectangles drawn since the last `takeDirtyRects()`.
    private var dirty: [PixelRect] = []
    /// Beyond this many dirty rectangles they are merged into their bounding box.
    static let maxDirty = 48

    public init(width: Int, height: Int, background: Color = Color(0)) {
        precondition(width > 0 && height > 0, "a canvas needs a positive size")
        self.width = width
        self.height = height
        pixels = .allocate(capacity: width * height)
        pixels.initialize(repeating: background.xrgb)
        dirty = [bounds]  // nothing has been shown yet
    }

    deinit { pixels.deallocate() }

    /// The picture rectangle this canvas holds.
    public var bounds: PixelRect { PixelRect(x: 0, y: originY, width: width, height: height) }

    @inline(__always)
    public subscript(x: Int, y: Int) -> UInt32 { pixels[(y - originY) * width + x] }

    /// Reuses the pixels for the picture rows from `top` on; what they hold is stale until drawn.
    func move(toY top: Int) {
        originY = top
        dirty.removeAll(keepingCapacity: true)
    }

    private func markDirty(_ r: PixelRect) {
        guard !r.isEmpty else { return }
        if dirty.contains(where: { $0.contains(r) }) { return }
        dirty.append(r)
        if dirty.count > Canvas.maxDirty { dirty = [dirty.reduce(PixelRect(x: 0, y: 0, width: 0, height: 0)) { $0.union($1) }] }
    }

    public func fill(_ rect: PixelRect, _ color: Color) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let base = pixels.baseAddress!
        for y in r.y..<r.maxY {
            (base + (y - originY) * width + r.x).update(repeating: color.xrgb, count: r.width)
        }
        markDirty(r)
    }

    /// Blends `color` through an 8-bit coverage mask (a glyph) whose top-left corner lands at (x, y).
    public func blend(mask: UnsafeBufferPointer<UInt8>, maskWidth: Int, maskHeight: Int, pitch: Int, x: Int, y: Int, color: Color, clip: PixelRect? = nil) {
        let area = (clip ?? bounds).intersection(bounds).intersection(PixelRect(x: x, y: y, width: maskWidth, height: maskHeight))
        guard !area.isEmpty else { return }
        let base = pixels.baseAddress!
        let m = mask.baseAddress!
        let fg = color.xrgb
        // Eight coverage bytes at a time: a glyph's box is mostly empty (0) or solid (255), and
        // skipping or storing those runs whole saves the per-pixel branch and blend.
        for py in area.y..<area.maxY {
            let row = base + (py - originY) * width
            let maskRow = m + (py - y) * pitch - x
            var px = area.x
            while px + 8 <= area.maxX {
                let eight = UnsafeRawPointer(maskRow + px).loadUnaligned(as: UInt64.self)
                if eight == 0 {
                } else if eight == .max {
                    (row + px).update(repeating: fg, count: 8)
                } else {
                    let a = SIMD8<UInt32>(truncatingIfNeeded: UnsafeRawPointer(maskRow + px).loadUnaligned(as: SIMD8<UInt8>.self))
                    let background = UnsafeRawPointer(row + px).loadUnaligned(as: SIMD8<UInt32>.self)
                    UnsafeMutableRawPointer(row + px).storeBytes(of: Color.blend(fg, over: background, alpha: a), as: SIMD8<UInt32>.self)
                }
                px += 8
            }
            while px < area.maxX {
                let a = UInt32(maskRow[px])
                if a != 0 { row[px] = Color.blend(fg, over: row[px], alpha: a) }
                px += 1
            }
        }
        markDirty(area)
    }

    /// Marks everything as changed (after a VT switch back, the screen must be redrawn whole).
    public func invalidate() { dirty = [bounds] }

    /// The rectangles drawn since the last call (to flush), and forgets them.
    public func takeDirtyRects() -> [PixelRect] {
        defer { dirty.removeAll(keepingCapacity: true) }
        return dirty
    }
}

#if canImport(Glibc)
import Glibc
#endif
