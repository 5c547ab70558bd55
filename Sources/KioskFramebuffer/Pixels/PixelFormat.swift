/// How one pixel is laid out in a framebuffer's memory, as the device reports it in
/// `fb_var_screeninfo` (bits per pixel and the offset/length of each colour channel). Pixels are
/// little-endian words of `bitsPerPixel` bits; a channel occupies `length` bits at `offset`.
public struct PixelFormat: Equatable, Hashable, Sendable, CustomStringConvertible {
    public struct Channel: Equatable, Hashable, Sendable {
        public var offset: Int
        public var length: Int
        public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
    }

    public var bitsPerPixel: Int
    public var red: Channel
    public var green: Channel
    public var blue: Channel

    public init(bitsPerPixel: Int, red: Channel, green: Channel, blue: Channel) {
        self.bitsPerPixel = bitsPerPixel; self.red = red; self.green = green; self.blue = blue
    }

    public var bytesPerPixel: Int { bitsPerPixel / 8 }

    public static let rgb565 = PixelFormat(bitsPerPixel: 16, red: .init(offset: 11, length: 5), green: .init(offset: 5, length: 6), blue: .init(offset: 0, length: 5))
    public static let bgr565 = PixelFormat(bitsPerPixel: 16, red: .init(offset: 0, length: 5), green: .init(offset: 5, length: 6), blue: .init(offset: 11, length: 5))
    public static let rgb888 = PixelFormat(bitsPerPixel: 24, red: .init(offset: 16, length: 8), green: .init(offset: 8, length: 8), blue: .init(offset: 0, length: 8))
    public static let bgr888 = PixelFormat(bitsPerPixel: 24, red: .init(offset: 0, length: 8), green: .init(offset: 8, length: 8), blue: .init(offset: 16, length: 8))
    public static let xrgb8888 = PixelFormat(bitsPerPixel: 32, red: .init(offset: 16, length: 8), green: .init(offset: 8, length: 8), blue: .init(offset: 0, length: 8))
    public static let xbgr8888 = PixelFormat(bitsPerPixel: 32, red: .init(offset: 0, length: 8), green: .init(offset: 8, length: 8), blue: .init(offset: 16, length: 8))

    /// The formats the kiosk supports, by their usual names.
    public static let named: [(name: String, format: PixelFormat)] = [
        ("RGB565", .rgb565), ("BGR565", .bgr565), ("RGB888", .rgb888), ("BGR888", .bgr888),
        ("XRGB8888", .xrgb8888), ("XBGR8888", .xbgr8888),
    ]

    /// The usual name ("RGB565"), or a description of the offsets for an unusual layout.
    public var description: String {
        PixelFormat.named.first { $0.format == self }?.name
            ?? "\(bitsPerPixel)bpp r\(red.offset)/\(red.length) g\(green.offset)/\(green.length) b\(blue.offset)/\(blue.length)"
    }

    /// The common format for a bit depth given as `bpp=` in a `file:` display (16 → RGB565,
    /// 24 → RGB888, 32 → XRGB8888).
    public static func standard(bitsPerPixel: Int) -> PixelFormat? {
        switch bitsPerPixel {
        case 16: return .rgb565
        case 24: return .rgb888
        case 32: return .xrgb8888
        default: return nil
        }
    }

    /// Why this layout cannot be drawn, or nil when it can: 16, 24 or 32 bits, channels of 1–8
    /// bits inside the pixel.
    public var unsupportedReason: String? {
        guard [16, 24, 32].contains(bitsPerPixel) else {
            return "\(bitsPerPixel) bits per pixel is not supported (only 16, 24 and 32)"
        }
        for (name, c) in [("red", red), ("green", green), ("blue", blue)] where c.length < 1 || c.length > 8 || c.offset + c.length > bitsPerPixel {
            return "the \(name) channel (offset \(c.offset), length \(c.length)) does not fit a \(bitsPerPixel)-bit pixel"
        }
        return nil
    }

    /// Packs an XRGB8888 colour into this format's pixel value.
    @inline(__always)
    public func pack(_ xrgb: UInt32) -> UInt32 {
        let r = (xrgb >> 16) & 0xFF, g = (xrgb >> 8) & 0xFF, b = xrgb & 0xFF
        return ((r >> UInt32(8 - red.length)) << UInt32(red.offset))
            | ((g >> UInt32(8 - green.length)) << UInt32(green.offset))
            | ((b >> UInt32(8 - blue.length)) << UInt32(blue.offset))
    }

    /// Unpacks a pixel value back to XRGB8888, replicating the top bits into the low ones so
    /// white stays white (used by tests and previews, never on a real framebuffer).
    public func unpack(_ value: UInt32) -> UInt32 {
        func channel(_ c: Channel) -> UInt32 {
            let v = (value >> UInt32(c.offset)) & ((1 << UInt32(c.length)) - 1)
            var out = v << UInt32(8 - c.length)
            var shift = c.length
            while shift < 8 { out |= out >> UInt32(shift); shift *= 2 }
            return out & 0xFF
        }
        return (channel(red) << 16) | (channel(green) << 8) | channel(blue)
    }
}
