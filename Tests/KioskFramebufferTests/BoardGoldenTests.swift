import Foundation
import KioskCore
import KioskFramebuffer
import KioskTestSupport
import Testing

/// The waiting-room board (`ScreenFixtures.board`) at the wall screen's sizes: 1920×1080 and
/// portrait 1080×1920 (a 1920×1080 panel turned 90°, through a file-backed XRGB8888
/// framebuffer), in both languages; each language shows the flashing call at one size and the
/// steady board at the other, four references in all.
@Suite("Framebuffer board")
struct BoardGoldenTests {
    @Test(arguments: Language.allCases)
    func boardAtWallScreenSizes(language: Language) throws {
        let painter = try GoldenScreenTests.painter()
        let board = ScreenFixtures.board(language)
        let portraitFirst = language == .english
        let cases: [(state: String, screen: Screen, rotation: Rotation)] = [
            ("flash", board.flashing, portraitFirst ? .quarter : .none),
            ("steady", board.steady, portraitFirst ? .none : .quarter),
        ]
        try FileManager.default.createDirectory(atPath: GoldenScreenTests.scratch, withIntermediateDirectories: true)
        for c in cases {
            let (w, h) = c.rotation.logicalSize(panelWidth: 1920, panelHeight: 1080)
            let canvas = Canvas(width: w, height: h)
            painter.paint(c.screen, on: canvas)
            let name = "\(language.rawValue)-board-\(c.state)-\(w)x\(h)"
            guard let reference = Golden.reference(name, recording: RGBImage(canvas)) else { continue }
            Golden.check(RGBImage(canvas), against: reference, name: name, tolerance: 8, allowedMismatches: w * h / 2000)
            // The wall panel itself: 1920×1080, turned when mounted in portrait.
            let device = GoldenScreenTests.scratch + "/board-\(name)"
            defer { try? FileManager.default.removeItem(atPath: device) }
            let fb = try Framebuffer.openFile(device, geometry: FramebufferGeometry(width: 1920, height: 1080, format: .xrgb8888), rotation: c.rotation)
            fb.flushAll(canvas)
            Golden.check(RGBImage(fb.readBack()), against: reference, name: name + "-panel", tolerance: 8, allowedMismatches: w * h / 2000)
        }
    }
}
