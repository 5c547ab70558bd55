import Foundation
import KioskCore
import KioskFramebuffer
import KioskTestSupport
import Testing

/// What the layout promises, checked on the draw list rather than pixels.
@Suite("Framebuffer layout")
struct LayoutTests {
    static func painter() throws -> ScreenPainter { ScreenPainter(fonts: try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath))) }

    static let sizes = [(800, 480), (1024, 600), (1280, 800), (1920, 1080), (1080, 1920)]

    static func texts(_ items: [DrawItem]) -> [(text: String, x: Int, y: Int, size: Int)] {
        items.compactMap { if case .text(let s, let x, let y, let size, _) = $0 { return (s, x, y, size) } else { return nil } }
    }

    /// Every text drawn on every fixture screen at every size in `sizes`, with where it was
    /// drawn ("lobby-idle 800×480") and the screen's width and height.
    static func drawnTexts(_ painter: ScreenPainter, _ language: Language)
        -> [(place: String, width: Int, height: Int, text: (text: String, x: Int, y: Int, size: Int))] {
        ScreenFixtures.all(language).flatMap { name, screen in
            sizes.flatMap { w, h in texts(painter.layout(screen, width: w, height: h)).map { ("\(name) \(w)×\(h)", w, h, $0) } }
        }
    }

    @Test(arguments: Language.allCases)
    func theTicketNumberIsTheLargestTextAtEverySize(language: Language) throws {
        let painter = try Self.painter()
        let ticket = try #require(ScreenFixtures.all(language).first { $0.name == "ticket" }?.screen)
        guard case .banner(let number, _)? = ticket.blocks.first(where: { if case .banner = $0 { return true } else { return false } }) else {
            Issue.record("the ticket screen has no banner"); return
        }
        for (w, h) in Self.sizes {
            let texts = Self.texts(painter.layout(ticket, width: w, height: h))
            let banner = try #require(texts.first { $0.text == number })
            for other in texts where other.text != number {
                #expect(banner.size >= other.size * 2, "\(w)×\(h): \(number) at \(banner.size) px vs '\(other.text)' at \(other.size) px")
            }
            // Readable from 3 metres: a 1080-line panel shows it at least a fifth of its short side.
            #expect(banner.size * 5 >= min(w, h), "\(w)×\(h): ticket number only \(banner.size) px")
        }
    }

    @Test(arguments: Language.allCases)
    func ratingChoicesAreFourTilesLeftToRightGreenToRed(language: Language) throws {
        let painter = try Self.painter()
        let screen = try #require(ScreenFixtures.all(language).first { $0.name == "pad-question" }?.screen)
        let theme = Theme()
        let tiles = [Tone.good, .fair, .warning, .alert].map { theme.choice($0).tile }
        for (w, h) in Self.sizes {
            let rects = painter.layout(screen, width: w, height: h).compactMap { item -> (PixelRect, Color)? in
                if case .rect(let r, let c) = item, tiles.contains(c) { return (r, c) } else { return nil }
            }
            #expect(rects.map(\.1) == tiles, "\(w)×\(h)")
            #expect(rects.map(\.0.x) == rects.map(\.0.x).sorted(), "\(w)×\(h): tiles not left to right")
            #expect(rects.allSatisfy { $0.0.maxX <= w && $0.0.maxY <= h && $0.0.width >= w / 6 }, "\(w)×\(h): tiles too small or off screen")
        }
    }

    /// The portrait counter screen once used only its top third (text sized by the 1080 px short
    /// side, the blocks ended near y = 400): without a banner it now uses larger type and spreads
    /// its blocks down the picture;
    /// landscape pictures keep the base size.
    @Test(arguments: Language.allCases)
    func aPortraitScreenWithoutABannerUsesItsHeight(language: Language) throws {
        let painter = try Self.painter()
        for name in ["counter-logged-out", "counter-login-pin"] {
            let screen = try #require(ScreenFixtures.all(language).first { $0.name == name }?.screen)
            let footer = screen.footer
            let portrait = Self.texts(painter.layout(screen, width: 1080, height: 1920)).filter { $0.text != footer && $0.y > 150 }
            let base = ScreenPainter.baseSize(width: 1080, height: 1920)
            #expect(portrait.allSatisfy { $0.size > base * 13 / 10 }, "\(name): \(portrait.map { ($0.text, $0.size) })")
            let bottom = portrait.map { $0.y + $0.size }.max() ?? 0
            #expect(bottom > 1920 * 40 / 100, "\(name): the blocks end at y = \(bottom) of 1920")
            let landscape = Self.texts(painter.layout(screen, width: 1920, height: 1080)).filter { $0.text != footer && $0.y > 100 }
            #expect(landscape.map(\.size).max() ?? 0 <= ScreenPainter.baseSize(width: 1920, height: 1080) * 11 / 10)
        }
    }

    /// Kinsoku on every screen at every size: no drawn line ends with an opening bracket or
    /// starts with closing punctuation (the counter header once broke as "…咨询（" / "等候 0 人）").
    @Test(arguments: Language.allCases)
    func noLineEndsWithAnOpeningBracket(language: Language) throws {
        for (place, _, _, t) in Self.drawnTexts(try Self.painter(), language) {
            #expect(!(t.text.last.map { "（《「『【".contains($0) } ?? false), "\(place): '\(t.text)'")
            #expect(!(t.text.first.map { "）》」』】，。、：；".contains($0) } ?? false), "\(place): '\(t.text)'")
        }
    }

    @Test(arguments: Language.allCases)
    func nothingIsDrawnOffScreen(language: Language) throws {
        let painter = try Self.painter()
        for (place, w, h, t) in Self.drawnTexts(painter, language) {
            let width = painter.text.width(t.text, size: t.size)
            #expect(t.x >= 0 && t.x + width <= w && t.y >= 0 && t.y + t.size <= h,
                    "\(place): '\(t.text)' at (\(t.x), \(t.y)) size \(t.size) leaves the screen")
        }
    }

    @Test func aFontWithoutChineseIsRefusedWithAdvice() {
        #expect {
            _ = try FontSet(preferred: FontSource(path: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("has no Chinese characters") && text.contains("fonts-wqy-microhei")
        }
        #expect(throws: FontError.self) { _ = try FontSet(preferred: FontSource(path: "/nonexistent/font.ttc")) }
    }
}
