import KioskCore
@testable import KioskFramebuffer
import Testing

/// Text is blended eight coverage bytes at a time (runs of 0 skipped, of 255 stored, the rest
/// blended lane by lane); every pixel must come out as the one-pixel blend would make it.
@Suite("Glyph blending")
struct BlendTests {
    @Test("eight lanes blend exactly as one pixel does, for every coverage")
    func lanesMatchScalar() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let foreground = UInt32(truncatingIfNeeded: random.next()) & 0xFFFFFF
            let background = SIMD8<UInt32>((0..<8).map { _ in UInt32(truncatingIfNeeded: random.next()) & 0xFFFFFF })
            for base in stride(from: 0, through: 255, by: 8) {
                let alpha = SIMD8<UInt32>((0..<8).map { UInt32(min(255, base + $0)) })
                let lanes = Color.blend(foreground, over: background, alpha: alpha)
                for i in 0..<8 {
                    #expect(lanes[i] == Color.blend(foreground, over: background[i], alpha: alpha[i]),
                            "coverage \(alpha[i]), \(String(foreground, radix: 16)) over \(String(background[i], radix: 16))")
                }
            }
        }
    }

    @Test("a mask of mixed runs, at any offset and clip, blends pixel for pixel")
    func maskMatchesPerPixel() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let width = 1 + Int(random.next() % 40), height = 1 + Int(random.next() % 6)
            // Runs of empty, solid and partial coverage, so eight-byte words of each kind occur.
            var mask: [UInt8] = []
            while mask.count < width * height {
                let run = 1 + Int(random.next() % 12)
                let kind = random.next() % 3
                for _ in 0..<run {
                    mask.append(kind == 0 ? 0 : kind == 1 ? 255 : UInt8(truncatingIfNeeded: random.next()))
                }
            }
            mask.removeLast(mask.count - width * height)
            let canvas = Canvas(width: 48, height: 10, background: Color(0x203040))
            for i in canvas.pixels.indices { canvas.pixels[i] = UInt32(truncatingIfNeeded: random.next()) & 0xFFFFFF }
            let before = Array(canvas.pixels)
            let x = Int(random.next() % 20) - 6, y = Int(random.next() % 8) - 2
            let clip = random.next() % 2 == 0 ? nil : PixelRect(x: Int(random.next() % 20), y: 0, width: 5 + Int(random.next() % 30), height: 10)
            let color = Color(UInt32(truncatingIfNeeded: random.next()))
            mask.withUnsafeBufferPointer {
                canvas.blend(mask: $0, maskWidth: width, maskHeight: height, pitch: width, x: x, y: y, color: color, clip: clip)
            }
            let area = (clip ?? canvas.bounds).intersection(canvas.bounds).intersection(PixelRect(x: x, y: y, width: width, height: height))
            for py in 0..<canvas.height {
                for px in 0..<canvas.width {
                    var expected = before[py * canvas.width + px]
                    if area.contains(PixelRect(x: px, y: py, width: 1, height: 1)) {
                        let a = UInt32(mask[(py - y) * width + (px - x)])
                        if a != 0 { expected = Color.blend(color.xrgb, over: expected, alpha: a) }
                    }
                    #expect(canvas[px, py] == expected, "pixel (\(px), \(py)) of a \(width)×\(height) mask at (\(x), \(y))")
                }
            }
        }
    }
}
