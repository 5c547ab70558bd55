import Foundation
import KioskCore
@testable import KioskFramebuffer
import KioskTestSupport
import Testing

/// What an update reuses from the frames before it (the paragraphs wrapped by the last layouts,
/// the ink of the items that did not change, the damaged area drawn alone) must give exactly
/// the picture a fresh painter draws whole, over many random screen changes.
@Suite("Incremental drawing")
struct IncrementalDrawTests {
    /// Random changes of the fixture screens: ticket numbers, digits and words in paragraphs,
    /// tones, blocks added and removed, the title and footer, and whole other screens (often one
    /// of two seen before, as a station goes back and forth).
    struct ScreenChanges {
        var random: SplitMix64
        let fixtures = ScreenFixtures.all(.chinese).map(\.screen) + ScreenFixtures.all(.english).map(\.screen)
        var screen: Screen
        var previous: Screen

        init(seed: UInt64) {
            random = SplitMix64(seed: seed)
            screen = fixtures[0]
            previous = fixtures[1]
        }

        mutating func pick(_ n: Int) -> Int { Int(random.next() % UInt64(max(1, n))) }

        /// Some digits in `s` replaced by random ones, or a word added or cut.
        mutating func changed(_ s: String) -> String {
            switch pick(4) {
            case 0: return s + [" 等候 \(pick(200)) 人", " and \(pick(9)) more", "（\(pick(60)) 分钟）"][pick(3)]
            case 1 where !s.isEmpty: return String(s.prefix(pick(s.count)))
            default: return String(s.map { $0.isNumber && pick(2) == 0 ? Character(String(pick(10))) : $0 })
            }
        }

        mutating func next() -> Screen {
            var s = screen
            switch pick(10) {
            case 0: swap(&screen, &previous); return screen
            case 1: s = fixtures[pick(fixtures.count)]
            case 2: s.title = changed(s.title)
            case 3: s.footer = changed(s.footer)
            case 4 where !s.blocks.isEmpty: s.blocks.remove(at: pick(s.blocks.count))
            case 5: s.blocks.insert([.spacer, .text(changed("请到 3 号窗口办理"), .accent), .heading(changed("Now serving 12"))][pick(3)], at: pick(s.blocks.count + 1))
            default:
                guard !s.blocks.isEmpty else { break }
                let i = pick(s.blocks.count)
                switch s.blocks[i] {
                case .banner(let t, let tone): s.blocks[i] = .banner(pick(3) == 0 ? changed(t) : "A\(100 + pick(900))", tone)
                case .text(let t, let tone): s.blocks[i] = pick(4) == 0 ? .text(t, Tone.allCases[pick(Tone.allCases.count)]) : .text(changed(t), tone)
                case .heading(let t): s.blocks[i] = .heading(changed(t))
                case .table(var rows) where !rows.isEmpty:
                    let r = pick(rows.count)
                    if !rows[r].isEmpty { let c = pick(rows[r].count); rows[r][c] = changed(rows[r][c]) }
                    s.blocks[i] = .table(rows)
                default: break
                }
            }
            previous = screen
            screen = s
            return s
        }
    }

    static func fonts() throws -> FontSet { try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath)) }

    /// A painter that remembers what it laid out lays every screen out exactly as a fresh one.
    @Test func aRememberingPainterLaysOutAsAFreshOne() throws {
        let fonts = try Self.fonts()
        let remembering = ScreenPainter(fonts: fonts)
        var changes = ScreenChanges(seed: 14)
        for step in 0..<300 {
            let screen = changes.next()
            for (w, h) in [(1920, 1080), (1080, 1920), (800, 480)] {
                let items = remembering.layout(screen, width: w, height: h)
                #expect(items == ScreenPainter(fonts: fonts).layout(screen, width: w, height: h), "step \(step) at \(w)×\(h)")
            }
            #expect(remembering.wraps.count < 200, "the memo keeps about two layouts' paragraphs")
        }
    }

    /// After every update the framebuffer holds exactly what a fresh painter draws whole and
    /// flushes at once: through the mapping, through write(2) (whole rows), and turned a quarter
    /// (portrait: layout tries several sizes).
    @Test(arguments: [(Rotation.none, PixelFormat.xrgb8888, false), (.none, .rgb565, true), (.quarter, .xrgb8888, false)])
    func updatesGiveTheWholePicture(rotation: Rotation, format: PixelFormat, throughDevice: Bool) throws {
        let path = FramebufferTests.scratch("incremental-\(rotation.rawValue)-\(format.bitsPerPixel)-\(throughDevice)")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + "-full") }
        let fonts = try Self.fonts()
        let geometry = FramebufferGeometry(width: 1920, height: 1080, format: format)
        let display = StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: geometry, rotation: rotation), painter: ScreenPainter(fonts: fonts))
        display.framebuffer.writesThroughDevice = throughDevice
        let reference = try Framebuffer.openFile(path + "-full", geometry: geometry, rotation: rotation)
        let full = Canvas(width: display.width, height: display.height)
        var changes = ScreenChanges(seed: 1400 + UInt64(rotation.rawValue) + UInt64(format.bitsPerPixel))
        var partial = 0
        for step in 0..<80 {
            let screen = changes.next()
            let rects = display.show(screen)
            if rects.reduce(0, { $0 + $1.area }) < display.width * display.height { partial += 1 }
            ScreenPainter(fonts: fonts).paint(screen, on: full)
            reference.flushAll(full)
            #expect(RGBImage(display.framebuffer.readBack()) == RGBImage(reference.readBack()), "step \(step)")
        }
        #expect(partial > 25, "most changes redraw part of the picture (\(partial) of 80)")
    }

    /// The next ticket number redraws and flushes only the glyphs that changed (A100 → A101:
    /// the last digit's old and new ink; A109 → A110: the last two digits'); a number whose
    /// width changes moves (it is centred) and is redrawn whole. The framebuffer always holds the
    /// whole new picture.
    @Test func aNewTicketNumberRedrawsOnlyItsChangedDigits() throws {
        let path = FramebufferTests.scratch("digits")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + "-full") }
        let fonts = try Self.fonts()
        let geometry = FramebufferGeometry(width: 1920, height: 1080, format: .xrgb8888)
        let display = StationDisplay(framebuffer: try Framebuffer.openFile(path, geometry: geometry), painter: ScreenPainter(fonts: fonts))
        let reference = try Framebuffer.openFile(path + "-full", geometry: geometry)
        let full = Canvas(width: 1920, height: 1080)
        let painter = ScreenPainter(fonts: fonts)
        func counter(_ number: String) -> Screen {
            Screen(title: "3 号窗口 · 维修", blocks: [.heading("请下一位"), .banner(number, .accent), .text("请到 3 号窗口办理", .normal)], footer: "09:30")
        }
        /// The banner's text item in the layout of `number`'s screen.
        func banner(_ number: String) -> (x: Int, y: Int, size: Int)? {
            for case .text(number, let x, let y, let size, _) in painter.layout(counter(number), width: 1920, height: 1080) { return (x, y, size) }
            return nil
        }
        display.show(counter("A100"))
        // (old, new, how many glyphs at the end changed; nil: the number moved)
        for (old, new, changed) in [("A100", "A101", 1), ("A101", "A109", 1), ("A109", "A110", 2), ("A110", "B110", nil), ("B110", "B111", 1)] as [(String, String, Int?)] {
            let (a, b) = (try #require(banner(old)), try #require(banner(new)))
            let expected: PixelRect
            if let changed {
                try #require(a == b, "\(old) → \(new): this font's digits are all as wide, so the number stays in place")
                let pen = a.x + painter.text.width(String(new.dropLast(changed)), size: a.size)
                expected = painter.text.inkBounds(String(old.suffix(changed)), x: pen, y: a.y, size: a.size)
                    .union(painter.text.inkBounds(String(new.suffix(changed)), x: pen, y: a.y, size: a.size))
                #expect(expected.area * 2 < painter.text.inkBounds(new, x: b.x, y: b.y, size: b.size).area, "\(old) → \(new): less than half the number")
            } else {
                try #require(a != b, "\(old) → \(new): the letters differ in width")
                expected = painter.text.inkBounds(old, x: a.x, y: a.y, size: a.size).union(painter.text.inkBounds(new, x: b.x, y: b.y, size: b.size))
            }
            #expect(display.show(counter(new)) == [expected], "\(old) → \(new)")
            painter.paint(counter(new), on: full)
            reference.flushAll(full)
            #expect(RGBImage(display.framebuffer.readBack()) == RGBImage(reference.readBack()), "\(old) → \(new)")
        }
    }
}
