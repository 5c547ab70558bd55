import Foundation
import KioskCore
import KioskFramebuffer
import KioskTestSupport
import Testing

/// Every station screen, in both languages, at 800×480, 1920×1080 and portrait 1080×1920 (a
/// 1920×1080 panel turned 90°), drawn once per size and then pushed through a file-backed
/// framebuffer in each pixel format, read back and compared with the reference PNGs in Golden/.
@Suite("Framebuffer screens")
struct GoldenScreenTests {
    /// The font the references were drawn with (installed by scripts/setup-debian.sh).
    static let fontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

    /// A painter per test: tests run in parallel and a painter (its glyph cache) is not shared.
    static func painter() throws -> ScreenPainter { ScreenPainter(fonts: try FontSet(preferred: FontSource(path: fontPath))) }

    struct Size: CustomStringConvertible, Sendable {
        var panelWidth: Int, panelHeight: Int, rotation: Rotation
        var description: String {
            let (w, h) = rotation.logicalSize(panelWidth: panelWidth, panelHeight: panelHeight)
            return "\(w)x\(h)"
        }
    }

    static let sizes = [Size(panelWidth: 800, panelHeight: 480, rotation: .none),
                        Size(panelWidth: 1920, panelHeight: 1080, rotation: .none),
                        Size(panelWidth: 1920, panelHeight: 1080, rotation: .quarter)]

    static let scratch = NSTemporaryDirectory() + "kiosk-fb-golden-\(getpid())"

    @Test(arguments: Language.allCases, sizes)
    func everyScreenInEveryPixelFormat(language: Language, size: Size) throws {
        try FileManager.default.createDirectory(atPath: Self.scratch, withIntermediateDirectories: true)
        let (w, h) = size.rotation.logicalSize(panelWidth: size.panelWidth, panelHeight: size.panelHeight)
        let canvas = Canvas(width: w, height: h)
        let painter = try Self.painter()
        let device = Self.scratch + "/fb-\(language.rawValue)-\(size)"
        defer { try? FileManager.default.removeItem(atPath: device) }
        for (name, screen) in ScreenFixtures.all(language) {
            painter.paint(screen, on: canvas)
            let drawn = RGBImage(canvas)
            let goldenName = "\(language.rawValue)-\(name)-\(size)"
            guard let reference = Golden.reference(goldenName, recording: drawn) else { continue }
            Golden.check(drawn, against: reference, name: goldenName, tolerance: 8, allowedMismatches: w * h / 2000)
            for (formatName, format) in PixelFormat.named {
                let fb = try Framebuffer.openFile(device, geometry: FramebufferGeometry(width: size.panelWidth, height: size.panelHeight, format: format),
                                                  rotation: size.rotation)
                fb.flushAll(canvas)
                let shown = RGBImage(fb.readBack())
                Golden.check(shown, against: reference, name: goldenName + "-" + formatName,
                             tolerance: format.bitsPerPixel == 16 ? 12 : 8, allowedMismatches: w * h / 2000)
            }
        }
    }
}
