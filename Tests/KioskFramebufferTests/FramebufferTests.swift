import Foundation
@testable import KioskFramebuffer
import KioskCore
import KioskTestSupport
import Testing

@Suite("Framebuffer flushing")
struct FramebufferTests {
    static func scratch(_ name: String) -> String { NSTemporaryDirectory() + "kiosk-fb-\(getpid())-\(name)" }

    @Test(arguments: Rotation.allCases)
    func onlyChangedRectanglesAreWritten(rotation: Rotation) throws {
        let path = Self.scratch("dirty-\(rotation.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fb = try Framebuffer.openFile(path, geometry: FramebufferGeometry(width: 320, height: 200, format: .rgb565), rotation: rotation)
        let (w, h) = fb.logicalSize
        let canvas = Canvas(width: w, height: h, background: Color(0x102030))
        fb.flush(canvas, rects: canvas.takeDirtyRects())
        #expect(canvas.takeDirtyRects().isEmpty, "nothing drawn since the last flush")
        canvas.fill(PixelRect(x: 10, y: 12, width: 5, height: 3), Color(0xFFFFFF))
        let rects = canvas.takeDirtyRects()
        #expect(rects == [PixelRect(x: 10, y: 12, width: 5, height: 3)])
        // Scribble on the panel's centre, outside the changed rectangle whatever the rotation: a flush of
        // the dirty rectangles must not touch it.
        let centre = fb.geometry.lineLength * (fb.geometry.height / 2) + 2 * (fb.geometry.width / 2)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(centre))
        handle.write(Data([0xAB, 0xCD]))
        try handle.close()
        fb.flush(canvas, rects: rects)
        let back = fb.readBack()
        #expect(back[10, 12] == 0xFFFFFF)
        #expect(back[20, 20] == PixelFormat.rgb565.unpack(PixelFormat.rgb565.pack(0x102030)))
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes[centre] == 0xAB, "a flush wrote outside the changed rectangle")
    }

    /// XRGB8888 rows go into the mapping with non-temporal stores (16 aligned bytes at a time, the
    /// ragged ends copied plainly): whatever a rectangle's alignment and width, its pixels and
    /// only they must land, as a plain copy of the rows would put them.
    @Test func rowsCopiedPastTheCacheLandExactlyAtAnyAlignment() throws {
        let path = Self.scratch("streamed")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 12 bytes of padding a line: rows start at every 4-byte offset modulo 16.
        let g = FramebufferGeometry(width: 61, height: 40, lineLength: 61 * 4 + 12, format: .xrgb8888)
        let fb = try Framebuffer.openFile(path, geometry: g)
        fb.bypassingCacheFrom = 0  // every rectangle, not only a band's worth
        var expected = [UInt8](repeating: 0, count: g.lineLength * g.height)
        var random = SplitMix64(seed: 5)
        let canvas = Canvas(width: 61, height: 40)
        for round in 0..<300 {
            let x = Int(random.next() % 61), y = Int(random.next() % 40)
            let r = PixelRect(x: x, y: y, width: 1 + Int(random.next() % UInt64(61 - x)), height: 1 + Int(random.next() % UInt64(min(5, 40 - y))))
            for py in r.y..<r.maxY {
                for px in r.x..<r.maxX {
                    let pixel = UInt32(truncatingIfNeeded: random.next()) & 0xFFFFFF
                    canvas.fill(PixelRect(x: px, y: py, width: 1, height: 1), Color(pixel))
                    withUnsafeBytes(of: pixel.littleEndian) { expected.replaceSubrange(py * g.lineLength + px * 4..<py * g.lineLength + px * 4 + 4, with: $0) }
                }
            }
            _ = canvas.takeDirtyRects()
            fb.flush(canvas, rects: [r])
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
            let wrong = bytes.count == expected.count ? expected.indices.first { bytes[$0] != expected[$0] } : 0
            guard let wrong else { continue }
            Issue.record("round \(round), \(r) flushed: line \(wrong / g.lineLength), byte \(wrong % g.lineLength) is \(bytes[wrong]), not \(expected[wrong])")
            return
        }
    }

    @Test func strideLongerThanTheRowIsHonoured() throws {
        let path = Self.scratch("stride")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let g = FramebufferGeometry(width: 10, height: 4, lineLength: 64, format: .xbgr8888)
        let fb = try Framebuffer.openFile(path, geometry: g)
        let canvas = Canvas(width: 10, height: 4, background: Color(0x0000FF))
        fb.flushAll(canvas)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.count == 64 * 4)
        // XBGR8888: red at offset 0, blue at 16: pure blue is 00 00 FF 00 in memory.
        #expect(Array(bytes[64..<68]) == [0, 0, 0xFF, 0])
        #expect(bytes[40] == 0, "padding after the row stays untouched")
    }

    /// A new ticket number repaints and flushes only around the number, and the framebuffer then
    /// holds exactly what a full repaint would give.
    @Test func aNewTicketNumberFlushesOnlyItsArea() throws {
        let path = Self.scratch("update")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fonts = try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath))
        let display = StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: FramebufferGeometry(width: 1920, height: 1080, format: .rgb565)),
                                     painter: ScreenPainter(fonts: fonts))
        let before = try #require(ScreenFixtures.all(.chinese).first { $0.name == "counter-called-care" }?.screen)
        var after = before
        after.blocks = after.blocks.map { if case .banner(_, let tone) = $0 { return .banner("A999", tone) } else { return $0 } }
        #expect(display.show(before).reduce(0) { $0 + $1.area } == 1920 * 1080)
        let rects = display.show(after)
        let flushed = rects.reduce(0) { $0 + $1.area }
        #expect(flushed > 0 && flushed < 1920 * 1080 / 5, "flushed \(flushed) pixels for one number")
        #expect(display.show(after).isEmpty, "an unchanged screen flushes nothing")
        // The framebuffer holds exactly what the whole picture, drawn at once and flushed, gives.
        let full = Canvas(width: 1920, height: 1080)
        ScreenPainter(fonts: fonts).paint(after, on: full)
        let reference = try Framebuffer.openFile(path + "-full", geometry: display.framebuffer.geometry)
        defer { try? FileManager.default.removeItem(atPath: path + "-full") }
        reference.flushAll(full)
        let shown = RGBImage(display.framebuffer.readBack())
        #expect(shown == RGBImage(reference.readBack()))
        #expect(ImageComparison(shown, RGBImage(full), tolerance: 8).mismatches == 0)
    }

    /// A display draws the picture in bands of rows (the last one moved up to fit); the
    /// framebuffer must end up exactly as if the whole picture had been drawn and flushed at once,
    /// in every rotation and pixel size.
    @Test(arguments: [(Rotation.none, PixelFormat.rgb888), (.quarter, .rgb565), (.half, .xbgr8888), (.threeQuarters, .xrgb8888)])
    func drawingInBandsGivesTheWholePicture(rotation: Rotation, format: PixelFormat) throws {
        let path = Self.scratch("bands-\(rotation.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + "-full") }
        let fonts = try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath))
        let geometry = FramebufferGeometry(width: 1000, height: 601, format: format)  // 601 rows: no whole number of bands
        let display = StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: geometry, rotation: rotation), painter: ScreenPainter(fonts: fonts))
        let screen = try #require(ScreenFixtures.all(.chinese).first { $0.name == "counter-called-care" }?.screen)
        display.show(screen)
        let full = Canvas(width: display.width, height: display.height)
        ScreenPainter(fonts: fonts).paint(screen, on: full)
        let reference = try Framebuffer.openFile(path + "-full", geometry: geometry, rotation: rotation)
        reference.flushAll(full)
        #expect(RGBImage(display.framebuffer.readBack()) == RGBImage(reference.readBack()))
    }

    /// Back from another VT, whatever the console drew is replaced by the whole picture, written
    /// through write(2) (the DRM fbdev emulation loses a mapped full repaint at that moment; the
    /// QEMU end-to-end test shows that on a real kernel), in every rotation and pixel size.
    @Test(arguments: [(Rotation.none, PixelFormat.xrgb8888), (.quarter, .rgb565), (.half, .bgr888), (.threeQuarters, .xbgr8888)])
    func aRedrawAfterAVTSwitchPutsTheWholePictureBack(rotation: Rotation, format: PixelFormat) throws {
        let path = Self.scratch("vt-\(rotation.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fonts = try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath))
        let geometry = FramebufferGeometry(width: 800, height: 480, format: format)
        let display = StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: geometry, rotation: rotation), painter: ScreenPainter(fonts: fonts))
        let screen = try #require(ScreenFixtures.all(.chinese).first { $0.name == "counter-called-care" }?.screen)
        display.show(screen)
        let drawn = RGBImage(display.framebuffer.readBack())
        // The kernel console draws its text screen over it while another VT is shown.
        let other = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try other.write(contentsOf: Data(repeating: 0, count: geometry.byteCount))
        try other.close()
        #expect(RGBImage(display.framebuffer.readBack()) != drawn)
        display.isActive = false
        display.redrawAll()
        #expect(RGBImage(display.framebuffer.readBack()) == drawn)
        #expect(!display.framebuffer.writesThroughDevice, "later frames go through the mapping again")
    }

    /// On a device every update goes through write(2), and never as a write that lies within one
    /// scanline and ends at its end: Linux 6.1 gives such a write no damage, so it never reaches
    /// the screen. Unturned or upside down, changes go out as two or more whole lines; turned a
    /// quarter, a span ending at a line's end takes a neighbouring line's edge pixel along. The
    /// pixels are exactly what the mapping gives, in every rotation.
    @Test(arguments: [(Rotation.none, PixelFormat.xrgb8888, 64), (.half, .rgb565, 0), (.quarter, .xrgb8888, 0), (.threeQuarters, .bgr888, 0)])
    func updatesWrittenThroughTheDeviceNeverEndAScanlineAlone(rotation: Rotation, format: PixelFormat, padding: Int) throws {
        let path = Self.scratch("writes-\(rotation.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + "-map") }
        let fonts = try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath))
        let geometry = FramebufferGeometry(width: 800, height: 480, lineLength: 800 * format.bytesPerPixel + padding, format: format)
        let written = try Framebuffer.openFile(path, geometry: geometry, rotation: rotation)
        written.writesThroughDevice = true
        var writes: [(offset: Int, count: Int)] = []
        written.onWrite = { writes.append(($0, $1)) }
        let mapped = try Framebuffer.openFile(path + "-map", geometry: geometry, rotation: rotation)
        let screens = ScreenFixtures.all(.chinese)
        let idle = try #require(screens.first { $0.name == "lobby-idle" }?.screen)
        let ticket = try #require(screens.first { $0.name == "ticket" }?.screen)
        let (w, h) = written.logicalSize
        // The same screen with one cell of the service table changed: an update of a small area
        // in the middle, after a whole picture whose last band was the footer. Written as whole
        // lines, those lines must be drawn whole (the reused band holds other rows' pixels).
        var changed = idle
        let table = try #require(changed.blocks.firstIndex { if case .table = $0 { return true } else { return false } })
        if case .table(var rows) = changed.blocks[table] { rows[1][3] = "约 25–31 分钟"; changed.blocks[table] = .table(rows) }
        // Small changes in the corners and the middle: one row, one column, one pixel (on the
        // whole current picture, as a display's canvas holds it).
        let canvas = Canvas(width: w, height: h)
        ScreenPainter(fonts: fonts).paint(changed, on: canvas)
        let corners = [PixelRect(x: 10, y: 5, width: 3, height: 1), PixelRect(x: w - 3, y: 0, width: 3, height: 2),
                       PixelRect(x: 0, y: h - 1, width: 1, height: 1), PixelRect(x: w - 1, y: h - 1, width: 1, height: 1),
                       PixelRect(x: w - 1, y: 0, width: 1, height: h), PixelRect(x: 0, y: 0, width: w, height: 1)]
        for r in corners { canvas.fill(r, Color(0x336699)) }
        for framebuffer in [written, mapped] {
            let display = StationDisplay(framebuffer: framebuffer, painter: ScreenPainter(fonts: fonts))
            for screen in [idle, ticket, idle] { display.show(screen) }
            #expect(display.show(changed).count == 1)
        }
        let same = RGBImage(written.readBack()) == RGBImage(mapped.readBack())
        #expect(same, "a partial update written through the device gives the picture the mapping gives")
        for framebuffer in [written, mapped] {
            framebuffer.flush(canvas, rects: corners)
        }
        let sameAfterCorners = RGBImage(written.readBack()) == RGBImage(mapped.readBack())
        #expect(sameAfterCorners)
        #expect(writes.count > 6)
        // A write within one scanline that ends at its end is allowed only when the next write
        // covers that line and the one before (the last line's neighbouring pixels).
        let line = geometry.lineLength
        func lines(_ w: (offset: Int, count: Int)) -> ClosedRange<Int> { w.offset / line...(w.offset + w.count - 1) / line }
        let alone = writes.indices.filter { i in
            let l = lines(writes[i])
            guard l.count == 1, (writes[i].offset + writes[i].count) % line == 0 else { return false }
            return !(i + 1 < writes.count && lines(writes[i + 1]) == (l.lowerBound - 1)...l.lowerBound)
        }.map { writes[$0] }
        #expect(alone.isEmpty, "writes within one scanline that end at its end: \(alone.prefix(3))")
        if rotation.keepsRows {
            let bad = writes.filter { $0.offset % line != 0 || $0.count % line != 0 || $0.count < 2 * line }
            #expect(bad.isEmpty, "writes that are not two or more whole lines: \(bad.prefix(3))")
        }
    }

    @Test func pngRoundTrips() throws {
        var image = RGBImage(width: 7, height: 5, pixels: (0..<35).map { UInt32($0) &* 0x010307 & 0xFFFFFF })
        image.pixels[3] = 0xFFFFFF
        #expect(try PNG.decode(PNG.encode(image)) == image)
    }
}
