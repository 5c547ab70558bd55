internal import CZlib
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An 8-bit RGB picture as PNG files hold it: what screenshots write and golden tests compare.
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// XRGB8888 pixels, row by row.
    public var pixels: [UInt32]

    public init(width: Int, height: Int, pixels: [UInt32]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    public init(_ canvas: Canvas) {
        self.init(width: canvas.width, height: canvas.height, pixels: Array(canvas.pixels))
    }
}

/// A PNG that cannot be read, with why.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// Writes and reads PNG files (8-bit RGB; reading also accepts RGBA), with zlib for deflate.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `image` as an 8-bit RGB PNG. Rows use the "up" filter, which suits flat kiosk
    /// screens; `level` is the zlib level (1 fast … 9 small).
    public static func encode(_ image: RGBImage, level: Int32 = 6) -> [UInt8] {
        let w = image.width, h = image.height
        let rowBytes = 1 + 3 * w
        var raw = [UInt8](repeating: 0, count: rowBytes * h)
        image.pixels.withUnsafeBufferPointer { px in
            raw.withUnsafeMutableBufferPointer { out in
                for y in 0..<h {
                    let o = y * rowBytes
                    out[o] = 2  // up
                    for x in 0..<w {
                        let p = px[y * w + x]
                        let q = y > 0 ? px[(y - 1) * w + x] : 0
                        out[o + 1 + 3 * x] = UInt8(truncatingIfNeeded: (p >> 16) &- (q >> 16))
                        out[o + 2 + 3 * x] = UInt8(truncatingIfNeeded: (p >> 8) &- (q >> 8))
                        out[o + 3 + 3 * x] = UInt8(truncatingIfNeeded: p &- q)
                    }
                }
            }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let rc = compress2(&compressed, &compressedLength, raw, uLong(raw.count), level)
        precondition(rc == Z_OK, "zlib compress2 failed (\(rc))")
        compressed.removeSubrange(Int(compressedLength)...)

        var file = signature
        var header: [UInt8] = []
        header += bigEndian(UInt32(w)); header += bigEndian(UInt32(h))
        header += [8, 2, 0, 0, 0]  // 8 bits, RGB, deflate, adaptive filters, no interlace
        chunk("IHDR", header, into: &file)
        chunk("IDAT", compressed, into: &file)
        chunk("IEND", [], into: &file)
        return file
    }

    public static func write(_ image: RGBImage, to path: String, level: Int32 = 6) throws {
        try Data(encode(image, level: level)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(path: String) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else { throw PNGError(description: "cannot read \(path)") }
        return try decode([UInt8](data))
    }

    /// Decodes a non-interlaced 8-bit RGB or RGBA PNG (alpha is dropped).
    public static func decode(_ bytes: [UInt8]) throws -> RGBImage {
        guard bytes.count > 8, Array(bytes[0..<8]) == signature else { throw PNGError(description: "not a PNG file") }
        var i = 8
        var width = 0, height = 0, channels = 0
        var idat: [UInt8] = []
        while i + 8 <= bytes.count {
            let length = Int(readBigEndian(bytes, i))
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            guard i + 12 + length <= bytes.count else { throw PNGError(description: "truncated \(type) chunk") }
            let body = bytes[(i + 8)..<(i + 8 + length)]
            switch type {
            case "IHDR":
                width = Int(readBigEndian(bytes, i + 8)); height = Int(readBigEndian(bytes, i + 12))
                let depth = body[body.startIndex + 8], colour = body[body.startIndex + 9], interlace = body[body.startIndex + 12]
                guard depth == 8, colour == 2 || colour == 6, interlace == 0 else {
                    throw PNGError(description: "only 8-bit RGB/RGBA non-interlaced PNGs are supported")
                }
                channels = colour == 2 ? 3 : 4
            case "IDAT": idat += body
            default: break
            }
            i += 12 + length
            if type == "IEND" { break }
        }
        guard width > 0, height > 0 else { throw PNGError(description: "PNG without a header") }
        let rowBytes = 1 + channels * width
        var rawLength = uLong(rowBytes * height)
        var raw = [UInt8](repeating: 0, count: Int(rawLength))
        guard uncompress(&raw, &rawLength, idat, uLong(idat.count)) == Z_OK, Int(rawLength) == raw.count else {
            throw PNGError(description: "corrupt PNG image data")
        }
        var pixels = [UInt32](repeating: 0, count: width * height)
        let bpp = channels
        var previous = [UInt8](repeating: 0, count: rowBytes - 1)
        var line = [UInt8](repeating: 0, count: rowBytes - 1)
        for y in 0..<height {
            let filter = raw[y * rowBytes]
            for x in 0..<(rowBytes - 1) {
                let v = raw[y * rowBytes + 1 + x]
                let a = x >= bpp ? Int(line[x - bpp]) : 0
                let b = Int(previous[x])
                let c = x >= bpp ? Int(previous[x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw PNGError(description: "unknown PNG row filter \(filter)")
                }
                line[x] = UInt8(truncatingIfNeeded: Int(v) + predictor)
            }
            for x in 0..<width {
                pixels[y * width + x] = UInt32(line[x * bpp]) << 16 | UInt32(line[x * bpp + 1]) << 8 | UInt32(line[x * bpp + 2])
            }
            swap(&previous, &line)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func chunk(_ type: String, _ body: [UInt8], into file: inout [UInt8]) {
        file += bigEndian(UInt32(body.count))
        let typed = Array(type.utf8) + body
        file += typed
        let c = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        file += bigEndian(UInt32(c))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func readBigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
