// kiosk-bench's screens as another renderer can draw them (scripts/lvgl-bench), and the banner
// number the update changes.
import KioskCore
import KioskFramebuffer
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// `screen` with `number` in its banner (the counter's ticket number).
func withBanner(_ screen: Screen, _ number: String) -> Screen {
    var changed = screen
    changed.blocks = screen.blocks.map { if case .banner(_, let tone) = $0 { return .banner(number, tone) } else { return $0 } }
    return changed
}

/// Writes what the full frame and the update draw, as `painter` lays them out at `width` ×
/// `height`, for another renderer to draw the same: `lobby`, then `counter` with A100 and with
/// A101 in its banner. One item a line: `screen NAME`, `rect X Y W H RRGGBB`,
/// `text X Y SIZE RRGGBB TEXT` (the top of the text's line box at X, Y; SIZE in pixels, as
/// FreeType's pixel size).
@MainActor func writeLayouts(to path: String, painter: ScreenPainter, width: Int, height: Int, lobby: Screen, counter: Screen) {
    func hex(_ c: Color) -> String { let h = String(c.xrgb, radix: 16, uppercase: true); return String(repeating: "0", count: 6 - h.count) + h }
    var out = ""
    for (name, screen) in [("lobby", lobby), ("counter-A100", withBanner(counter, "A100")), ("counter-A101", withBanner(counter, "A101"))] {
        out += "screen \(name)\n"
        for item in painter.layout(screen, width: width, height: height) {
            switch item {
            case .rect(let r, let c): out += "rect \(r.x) \(r.y) \(r.width) \(r.height) \(hex(c))\n"
            case .text(let s, let x, let y, let size, let c): out += "text \(x) \(y) \(size) \(hex(c)) \(s)\n"
            }
        }
    }
    let fd = must("writing \(path)") { try Posix.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644) }
    _ = must("writing \(path)") { try Posix.writeAll(fd, Array(out.utf8)) }
    Posix.close(fd)
}
