/// The picture in RAM: XRGB8888 pixels, row by row, `width` per row. Everything is drawn here;
/// the framebuffer only ever receives converted copies of the rectangles that changed, and is
/// never read back.
public final class Canvas {
    public let width: Int
    public let height: Int
    /// The pixels being drawn.
    public private(set) var pixels: UnsafeMutableBufferPointer<UInt32>
    /// What was last handed to the display, to find which tiles changed.
    private var shown: UnsafeMutableBufferPointer<UInt32>
    /// Side of the square tiles compared by `changedRects()`.
    public static let tile = 32

    public init(width: Int, height: Int, background: Color = Color(0)) {
        precondition(width > 0 && height > 0, "a canvas needs a positive size")
        self.width = width
        self.height = height
        pixels = .allocate(capacity: width * height)
        pixels.initialize(repeating: background.xrgb)
        shown = .allocate(capacity: width * height)
        // Nothing has been shown yet: make every tile differ from what is drawn.
        shown.initialize(repeating: ~background.xrgb)
    }

    deinit {
        pixels.deallocate()
        shown.deallocate()
    }

    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    @inline(__always)
    public subscript(x: Int, y: Int) -> UInt32 { pixels[y * width + x] }

    public func fill(_ rect: PixelRect, _ color: Color) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let base = pixels.baseAddress!
        for y in r.y..<r.maxY {
            (base + y * width + r.x).update(repeating: color.xrgb, count: r.width)
        }
    }

    /// Blends `color` through an 8-bit coverage mask (a glyph) whose top-left corner lands at (x, y).
    public func blend(mask: UnsafeBufferPointer<UInt8>, maskWidth: Int, maskHeight: Int, pitch: Int, x: Int, y: Int, color: Color, clip: PixelRect? = nil) {
        let area = (clip ?? bounds).intersection(bounds).intersection(PixelRect(x: x, y: y, width: maskWidth, height: maskHeight))
        guard !area.isEmpty else { return }
        let base = pixels.baseAddress!
        let m = mask.baseAddress!
        let fg = color.xrgb
        for py in area.y..<area.maxY {
            let row = base + py * width
            let maskRow = m + (py - y) * pitch - x
            for px in area.x..<area.maxX {
                let a = UInt32(maskRow[px])
                if a != 0 { row[px] = Color.blend(fg, over: row[px], alpha: a) }
            }
        }
    }

    /// Marks everything as changed (after a VT switch back, the screen must be redrawn whole).
    public func invalidate() {
        for i in 0..<shown.count { shown[i] = ~pixels[i] }
    }

    /// The tiles that differ from what was last shown, merged row-wise into rectangles, and
    /// remembers the current picture as shown. Compares RAM with RAM, never the framebuffer.
    public func changedRects() -> [PixelRect] {
        let t = Canvas.tile
        var rects: [PixelRect] = []
        let now = pixels.baseAddress!, before = shown.baseAddress!
        var ty = 0
        while ty < height {
            let th = min(t, height - ty)
            var runStart = -1
            let across = (width + t - 1) / t
            // One step past the last tile closes a run that reaches the right edge.
            for column in 0...across {
                let tx = column * t
                var changed = false
                if column < across {
                    let tw = min(t, width - tx)
                    for y in ty..<ty + th where memcmp(now + y * width + tx, before + y * width + tx, tw * 4) != 0 {
                        changed = true
                        break
                    }
                }
                if changed {
                    if runStart < 0 { runStart = tx }
                } else if runStart >= 0 {
                    rects.append(PixelRect(x: runStart, y: ty, width: min(tx, width) - runStart, height: th))
                    runStart = -1
                }
            }
            ty += t
        }
        // Merge vertically adjacent rectangles with the same columns.
        var merged: [PixelRect] = []
        for r in rects {
            if let i = merged.lastIndex(where: { $0.x == r.x && $0.width == r.width && $0.maxY == r.y }) {
                merged[i].height += r.height
            } else {
                merged.append(r)
            }
        }
        for r in merged {
            for y in r.y..<r.maxY { (before + y * width + r.x).update(from: now + y * width + r.x, count: r.width) }
        }
        return merged
    }
}

#if canImport(Glibc)
import Glibc
#endif
