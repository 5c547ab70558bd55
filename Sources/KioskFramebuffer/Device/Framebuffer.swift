import CLinuxFB
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// What a framebuffer looks like in memory: visible size, bytes per row, pixel format.
public struct FramebufferGeometry: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next (`line_length`); may exceed width × bytes per pixel.
    public var lineLength: Int
    public var format: PixelFormat
    /// First visible pixel inside the mapping (`xoffset`/`yoffset` of a panned framebuffer).
    public var xOffset: Int = 0
    public var yOffset: Int = 0

    public init(width: Int, height: Int, lineLength: Int? = nil, format: PixelFormat, xOffset: Int = 0, yOffset: Int = 0) {
        self.width = width; self.height = height
        self.lineLength = lineLength ?? width * format.bytesPerPixel
        self.format = format; self.xOffset = xOffset; self.yOffset = yOffset
    }

    /// Bytes the mapping must hold.
    public var byteCount: Int { (yOffset + height) * lineLength }
}

/// A memory-mapped framebuffer: a Linux `/dev/fbN` device, or an ordinary file that stands in for
/// one (tests, previews) through exactly the same drawing and flushing code.
public final class Framebuffer {
    public let geometry: FramebufferGeometry
    public let rotation: Rotation
    /// Where it came from, for messages ("/dev/fb0").
    public let path: String
    private let fd: Int32
    private let memory: UnsafeMutableRawPointer
    private let mappedLength: Int

    /// The picture size to draw (the panel size turned by the rotation).
    public var logicalSize: (width: Int, height: Int) { rotation.logicalSize(panelWidth: geometry.width, panelHeight: geometry.height) }

    private init(path: String, fd: Int32, memory: UnsafeMutableRawPointer, length: Int, geometry: FramebufferGeometry, rotation: Rotation) {
        self.path = path; self.fd = fd; self.memory = memory; self.mappedLength = length
        self.geometry = geometry; self.rotation = rotation
    }

    deinit {
        munmap(memory, mappedLength)
        Posix.close(fd)
    }

    /// Opens a Linux framebuffer device, reads its geometry (`FBIOGET_VSCREENINFO`,
    /// `FBIOGET_FSCREENINFO`), maps `smem_len` bytes and unblanks it (tolerating drivers without
    /// `FBIOBLANK`).
    public static func openDevice(_ path: String, rotation: Rotation = .none) throws -> Framebuffer {
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(path, O_RDWR | O_CLOEXEC) } catch {
            let hint = switch error.code {
            case .permissionDenied: "run kioskd as a member of the video group"
            case .noSuchFileOrDirectory: "check display = fb:… in kiosk.conf (ls /dev/fb*)"
            default: error.hint
            }
            throw DisplayError(.cannotOpen, "cannot open framebuffer \(path): \(error.code); \(hint)", cause: error)
        }
        var v = fb_var_screeninfo()
        var f = fb_fix_screeninfo()
        do throws(SystemError) {
            _ = try syscall("ioctl FBIOGET_VSCREENINFO", path: path) { kiosk_ioctl_ptr(fd, kiosk_FBIOGET_VSCREENINFO(), &v) }
            _ = try syscall("ioctl FBIOGET_FSCREENINFO", path: path) { kiosk_ioctl_ptr(fd, kiosk_FBIOGET_FSCREENINFO(), &f) }
        } catch {
            Posix.close(fd)
            let request = error.call.replacing("ioctl ", with: "")
            throw DisplayError(.notAFramebuffer, "\(path) is not a framebuffer (\(request): \(error.code)); use display = fb:/dev/fbN", cause: error)
        }
        let format = PixelFormat(bitsPerPixel: Int(v.bits_per_pixel),
                                 red: .init(offset: Int(v.red.offset), length: Int(v.red.length)),
                                 green: .init(offset: Int(v.green.offset), length: Int(v.green.length)),
                                 blue: .init(offset: Int(v.blue.offset), length: Int(v.blue.length)))
        if let reason = format.unsupportedReason {
            Posix.close(fd)
            throw DisplayError(.unsupportedFormat, "\(path): \(reason); set a 16, 24 or 32-bit mode (e.g. video=…-32 on the kernel command line)")
        }
        let geometry = FramebufferGeometry(width: Int(v.xres), height: Int(v.yres), lineLength: Int(f.line_length), format: format,
                                           xOffset: Int(v.xoffset), yOffset: Int(v.yoffset))
        let length = max(Int(f.smem_len), geometry.byteCount)
        let map: UnsafeMutableRawPointer
        do throws(SystemError) { map = try Posix.mapShared(fd, length: length, path: path) } catch {
            Posix.close(fd)
            throw DisplayError(.cannotMap, "cannot map framebuffer \(path): \(error.code); its driver may not allow mapping it: check the kernel log (journalctl -k) or use another /dev/fbN", cause: error)
        }
        _ = try? syscall("ioctl FBIOBLANK", path: path) { kiosk_ioctl_int(fd, kiosk_FBIOBLANK(), 0) }  // FB_BLANK_UNBLANK; efifb/simplefb lack it
        let framebuffer = Framebuffer(path: path, fd: fd, memory: map, length: length, geometry: geometry, rotation: rotation)
        framebuffer.writesThroughDevice = true
        return framebuffer
    }

    /// Opens (creating or resizing it as needed) a file that stands in for a framebuffer with the
    /// given geometry.
    public static func openFile(_ path: String, geometry: FramebufferGeometry, rotation: Rotation = .none) throws -> Framebuffer {
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode: 0o644) } catch {
            throw DisplayError(.cannotOpen, "cannot open framebuffer file \(path): \(error.code); check the folder exists and is writable", cause: error)
        }
        let length = geometry.byteCount
        do throws(SystemError) { _ = try syscall("ftruncate", path: path) { ftruncate(fd, off_t(length)) } } catch {
            Posix.close(fd)
            throw DisplayError(.cannotSize, "cannot size framebuffer file \(path) to \(length) bytes: \(error.code); \(error.hint)", cause: error)
        }
        let map: UnsafeMutableRawPointer
        do throws(SystemError) { map = try Posix.mapShared(fd, length: length, path: path) } catch {
            Posix.close(fd)
            throw DisplayError(.cannotMap, "cannot map framebuffer file \(path): \(error.code); \(error.hint)", cause: error)
        }
        return Framebuffer(path: path, fd: fd, memory: map, length: length, geometry: geometry, rotation: rotation)
    }

    /// Converts the given picture rectangles of `canvas` (the whole picture or a band of its rows)
    /// into the framebuffer's format, turned by the rotation. Only these rectangles are written;
    /// nothing is read from the framebuffer.
    public func flush(_ canvas: Canvas, rects: [PixelRect]) {
        precondition(canvas.width == logicalSize.width && canvas.originY >= 0 && canvas.originY + canvas.height <= logicalSize.height,
                     "canvas must be as wide as the framebuffer's picture and lie inside it")
        for rect in rects {
            let r = rect.intersection(canvas.bounds)
            if !r.isEmpty { flush(canvas, r) }
        }
    }

    /// Flushes go through write(2) instead of the mapping while this is set (always on a device).
    /// With Linux 6.1's DRM fbdev emulation (seen with bochs-drm) pictures written through the
    /// mapping were lost now and then: part of an update, or a whole repaint after a VT switch,
    /// stayed in the shadow buffer and never reached the screen (the QEMU end-to-end test caught
    /// both). A write(2) reports its own damage; see `flush` for the one shape 6.1 gets wrong.
    public var writesThroughDevice = false
    /// Rows converted for a write(2) flush (grown as needed, reused).
    private var writeBuffer: [UInt8] = []
    /// The panel's first and last column as last written (`edgeKnown`: written through
    /// write(2) since), one pixel per panel row: left edge rows first, then the right edge. They
    /// let a span that ends at a line's end be written together with a neighbouring pixel.
    private var edgePixels: [UInt8] = []
    private var edgeKnown: [Bool] = []
    /// Bands of a whole picture should be flushed from the bottom up: a quarter-turned panel's
    /// first column is the picture's bottom row, and the spans ending at the panel's line ends
    /// (the picture's top row) are written together with it (see `flush`), so it must be known.
    public var drawsBandsBottomUp: Bool { writesThroughDevice && rotation == .quarter }
    /// True when `flush` writes the rows of a rectangle whole, at least two (see `flush`): the
    /// caller must have drawn those rows whole in the canvas, not only the rectangle.
    public var flushesWholeRows: Bool { writesThroughDevice && rotation.keepsRows }
    /// Every write(2) as (file offset, byte count), for tests of how updates are cut into writes.
    var onWrite: ((Int, Int) -> Void)?

    /// Writes the whole picture.
    public func flushAll(_ canvas: Canvas) { flush(canvas, rects: [canvas.bounds]) }

    private func flush(_ canvas: Canvas, _ rect: PixelRect) {
        let g = geometry
        let bpp = g.format.bytesPerPixel
        guard writesThroughDevice else {
            convert(canvas, rect, into: memory + g.yOffset * g.lineLength + g.xOffset * bpp, firstRow: 0, bypassingCache: true)
            forgetEdges(of: rotation.panelRect(rect, panelWidth: g.width, panelHeight: g.height))
            return
        }
        // Linux 6.1 computes an empty damage rectangle for a write that lies within one scanline
        // and ends at its end (a whole line, or the right part of one): such a write never
        // reaches the screen. So where the panel's lines are the picture's rows, the rectangle
        // grows to whole rows (the canvas holds them), at least two, written in one call. A
        // quarter-turned panel's lines are picture columns, which a band does not hold whole:
        // there a span that ends at the line's end is written together with the next line's
        // first pixel (or, on the last line, followed by the previous line's last pixel and its
        // own first), from `edgePixels`, so that the write covers two lines.
        var r = rect
        if rotation.keepsRows {
            r = PixelRect(x: 0, y: r.y, width: canvas.width, height: r.height)
            if r.height == 1 {
                if r.maxY < canvas.originY + canvas.height { r.height = 2 } else if r.y > canvas.originY { r.y -= 1; r.height = 2 }
            }
        }
        let panel = rotation.panelRect(r, panelWidth: g.width, panelHeight: g.height)
        let needed = panel.height * g.lineLength
        // Whole rows of a panel laid out as the canvas (XRGB8888, not turned, no padding or
        // panning): written straight from the canvas, as `convert` would only copy them. The
        // conversion buffer, a band's size (240 kB at 1920 wide), is then never made.
        if rotation == .none && g.format == .xrgb8888 && g.xOffset == 0 && g.lineLength == canvas.width * 4 && g.width == canvas.width
            && panel.x == 0 && panel.width == g.width && panel.height >= 2
            && r.y >= canvas.originY && r.maxY <= canvas.originY + canvas.height {
            let rows = UnsafeRawPointer(canvas.pixels.baseAddress! + (r.y - canvas.originY) * canvas.width)
            rememberEdges(of: panel, rows: rows)
            writeFully(rows, count: needed, at: (g.yOffset + panel.y) * g.lineLength)
            return
        }
        if writeBuffer.count < needed { writeBuffer = [UInt8](repeating: 0, count: needed) }
        writeBuffer.withUnsafeMutableBytes { buffer in
            let rows = buffer.baseAddress!
            convert(canvas, r, into: rows + g.xOffset * bpp, firstRow: panel.y, bypassingCache: false)
            rememberEdges(of: panel, rows: rows)
            if panel.x == 0 && panel.width == g.width && panel.height >= 2 {
                // Whole lines (with any padding and the panned-away part, which nobody sees).
                writeFully(rows, count: needed, at: (g.yOffset + panel.y) * g.lineLength)
                return
            }
            let endsLines = (g.xOffset + panel.maxX) * bpp == g.lineLength
            for row in 0..<panel.height {
                let start = row * g.lineLength + (g.xOffset + panel.x) * bpp
                let span = UnsafeRawBufferPointer(start: rows + start, count: panel.width * bpp)
                let offset = (g.yOffset + panel.y) * g.lineLength + start
                if endsLines { writeEndingALine(span, at: offset, panelRow: panel.y + row) } else { writeFully(span.baseAddress!, count: span.count, at: offset) }
            }
        }
    }

    /// Writes a span that ends at the end of panel line `py` so that the write covers two lines.
    private func writeEndingALine(_ span: UnsafeRawBufferPointer, at offset: Int, panelRow py: Int) {
        let g = geometry
        let bpp = g.format.bytesPerPixel
        let h = g.height
        // From the end of one line to the first visible pixel of the next: the panned-away part.
        let gap = [UInt8](repeating: 0, count: g.xOffset * bpp)
        if py + 1 < h, edgeKnown[py + 1] {
            let bytes = Array(span) + gap + edgePixels[(py + 1) * bpp..<(py + 2) * bpp]
            bytes.withUnsafeBytes { writeFully($0.baseAddress!, count: $0.count, at: offset) }
            return
        }
        writeFully(span.baseAddress!, count: span.count, at: offset)
        if py == h - 1, h >= 2, edgeKnown[h + py - 1], edgeKnown[py] {
            let bytes = Array(edgePixels[(h + py - 1) * bpp..<(h + py) * bpp]) + gap + edgePixels[py * bpp..<(py + 1) * bpp]
            let previousLastPixel = (g.yOffset + py - 1) * g.lineLength + (g.xOffset + g.width - 1) * bpp
            bytes.withUnsafeBytes { writeFully($0.baseAddress!, count: $0.count, at: previousLastPixel) }
        }
    }

    /// Keeps the first and last column of `panel`'s rows, as converted into `rows`.
    private func rememberEdges(of panel: PixelRect, rows: UnsafeRawPointer) {
        let g = geometry
        let bpp = g.format.bytesPerPixel
        if edgeKnown.isEmpty {
            edgePixels = [UInt8](repeating: 0, count: 2 * g.height * bpp)
            edgeKnown = [Bool](repeating: false, count: 2 * g.height)
        }
        edgePixels.withUnsafeMutableBytes { edges in
            forEachEdgeSlot(of: panel) { slot, column, row in
                (edges.baseAddress! + slot * bpp).copyMemory(from: rows + row * g.lineLength + (g.xOffset + column) * bpp, byteCount: bpp)
                edgeKnown[slot] = true
            }
        }
    }

    /// Marks the edge pixels of `panel` unknown (written through the mapping, not remembered).
    private func forgetEdges(of panel: PixelRect) {
        guard !edgeKnown.isEmpty else { return }
        forEachEdgeSlot(of: panel) { slot, _, _ in edgeKnown[slot] = false }
    }

    /// Calls `body` with each edge pixel `panel` covers: its slot in `edgePixels`/`edgeKnown`
    /// (left edge rows first, then the right edge), its panel column and its row within `panel`.
    private func forEachEdgeSlot(of panel: PixelRect, _ body: (_ slot: Int, _ column: Int, _ row: Int) -> Void) {
        let g = geometry
        for (column, firstSlot) in [(0, 0), (g.width - 1, g.height)] where panel.x <= column && column < panel.maxX {
            for row in 0..<panel.height { body(firstSlot + panel.y + row, column, row) }
        }
    }

    /// One pwrite(2) of `count` bytes at `offset` (more only if the kernel takes part of it).
    /// A failed write is dropped: the next update or redraw writes the picture again.
    private func writeFully(_ bytes: UnsafeRawPointer, count: Int, at offset: Int) {
        onWrite?(offset, count)
        _ = try? Posix.writeAll(count: count, call: "pwrite", path: path) { done in
            pwrite(fd, bytes + done, count - done, off_t(offset + done))
        }
    }

    /// From this many bytes on, rows copied into the mapping bypass the cache (a band of a whole
    /// picture: 240 kB at 1920 wide). A whole frame (8 MB) is larger than the caches, so ordinary
    /// stores would first read every line of it; a small update's lines may still be cached, and
    /// there ordinary stores were faster (kiosk-bench's update: 0.07 against 0.10 ms).
    var bypassingCacheFrom = 128 * 1024

    /// Converts rectangle `r` of the picture into panel rows at `origin` (panel row `firstRow`
    /// is at `origin`, one `line_length` apart). `bypassingCache` for the mapping, which is never
    /// read back: large rectangles copied as they are go with non-temporal stores (not for
    /// `writeBuffer`, which write(2) reads next).
    private func convert(_ canvas: Canvas, _ r: PixelRect, into target: UnsafeMutableRawPointer, firstRow: Int, bypassingCache: Bool) {
        let g = geometry
        let format = g.format
        let bpp = format.bytesPerPixel
        let panel = rotation.panelRect(r, panelWidth: g.width, panelHeight: g.height)
        let cw = canvas.width
        let src = canvas.pixels.baseAddress!
        // Picture indexes below minus this give canvas indexes (the canvas may hold a lower band).
        let firstIndex = canvas.originY * cw
        let origin = target - firstRow * g.lineLength
        // Fast path: same layout as the canvas, no rotation: copy rows.
        if rotation == .none && format == .xrgb8888 {
            let targetRows = origin + r.y * g.lineLength + r.x * 4, sourceRows = src + (r.y * cw + r.x - firstIndex)
            if bypassingCache && r.width * r.height * 4 >= bypassingCacheFrom {
                kiosk_copy_rows_to_framebuffer(targetRows, g.lineLength, sourceRows, cw * 4, r.width * 4, r.height)
            } else {
                for y in 0..<r.height { memcpy(targetRows + y * g.lineLength, sourceRows + y * cw, r.width * 4) }
            }
            return
        }
        let pw = g.width, ph = g.height
        // For each panel pixel, the canvas pixel it shows: start + column step + row step.
        let start: Int, dx: Int, dy: Int
        switch rotation {
        case .none: start = panel.y * cw + panel.x; dx = 1; dy = cw
        case .half: start = (ph - 1 - panel.y) * cw + (pw - 1 - panel.x); dx = -1; dy = -cw
        // panel (px, py) shows canvas (x = py, y = pw - 1 - px)
        case .quarter: start = (pw - 1 - panel.x) * cw + panel.y; dx = -cw; dy = 1
        // panel (px, py) shows canvas (x = ph - 1 - py, y = px)
        case .threeQuarters: start = panel.x * cw + (ph - 1 - panel.y); dx = cw; dy = -1
        }
        for row in 0..<panel.height {
            let line = origin + (panel.y + row) * g.lineLength + panel.x * bpp
            var s = start + row * dy - firstIndex
            switch bpp {
            case 4:
                let out = line.assumingMemoryBound(to: UInt32.self)
                if format == .xrgb8888 {
                    for i in 0..<panel.width { out[i] = src[s]; s += dx }
                } else {
                    for i in 0..<panel.width { out[i] = format.pack(src[s]); s += dx }
                }
            case 2:
                let out = line.assumingMemoryBound(to: UInt16.self)
                for i in 0..<panel.width { out[i] = UInt16(truncatingIfNeeded: format.pack(src[s])); s += dx }
            default:
                let out = line.assumingMemoryBound(to: UInt8.self)
                for i in 0..<panel.width {
                    let v = format.pack(src[s]); s += dx
                    out[3 * i] = UInt8(truncatingIfNeeded: v)
                    out[3 * i + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    out[3 * i + 2] = UInt8(truncatingIfNeeded: v >> 16)
                }
            }
        }
    }

    /// Reads the mapping back as an upright XRGB8888 picture. For tests and previews of file
    /// framebuffers only: the kiosk never reads a real framebuffer.
    public func readBack() -> Canvas {
        let g = geometry
        let (lw, lh) = logicalSize
        let out = Canvas(width: lw, height: lh)
        let bpp = g.format.bytesPerPixel
        let origin = memory + g.yOffset * g.lineLength + g.xOffset * bpp
        let dst = out.pixels.baseAddress!
        for py in 0..<g.height {
            let line = origin + py * g.lineLength
            for px in 0..<g.width {
                let p = line + px * bpp
                var v: UInt32 = 0
                for b in 0..<bpp { v |= UInt32(p.load(fromByteOffset: b, as: UInt8.self)) << UInt32(8 * b) }
                let (x, y): (Int, Int)
                switch rotation {
                case .none: (x, y) = (px, py)
                case .half: (x, y) = (g.width - 1 - px, g.height - 1 - py)
                case .quarter: (x, y) = (py, g.width - 1 - px)
                case .threeQuarters: (x, y) = (g.height - 1 - py, px)
                }
                dst[y * lw + x] = g.format.unpack(v)
            }
        }
        return out
    }

    /// Makes a file framebuffer's contents durable (no-op cost for devices).
    public func sync() { msync(memory, mappedLength, MS_ASYNC) }
}
