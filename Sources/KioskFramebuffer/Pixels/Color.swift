/// A colour as the kiosk draws it: 0x00RRGGBB (XRGB8888), the in-memory format of `Canvas`.
public struct Color: Equatable, Hashable, Sendable {
    public var xrgb: UInt32
    public init(_ xrgb: UInt32) { self.xrgb = xrgb & 0xFFFFFF }
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        xrgb = UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue)
    }
    public var red: UInt8 { UInt8((xrgb >> 16) & 0xFF) }
    public var green: UInt8 { UInt8((xrgb >> 8) & 0xFF) }
    public var blue: UInt8 { UInt8(xrgb & 0xFF) }

    /// `self` over `background` with coverage `alpha` (0–255), as anti-aliased text needs.
    @inline(__always)
    public static func blend(_ foreground: UInt32, over background: UInt32, alpha: UInt32) -> UInt32 {
        if alpha == 255 { return foreground }
        if alpha == 0 { return background }
        let inv = 255 - alpha
        let rb = ((foreground & 0xFF00FF) &* alpha &+ (background & 0xFF00FF) &* inv) &+ 0x800080
        let g = ((foreground & 0x00FF00) &* alpha &+ (background & 0x00FF00) &* inv) &+ 0x008000
        return (((rb &+ ((rb >> 8) & 0xFF00FF)) >> 8) & 0xFF00FF) | (((g &+ ((g >> 8) & 0x00FF00)) >> 8) & 0x00FF00)
    }

    /// `blend` for eight pixels at once, the same arithmetic lane by lane. Its rounding division
    /// by 255 is exact at the ends, so coverage 0 gives the background and 255 the foreground
    /// without the scalar version's branches (the X byte of a drawn pixel is always 0).
    @inline(__always)
    public static func blend(_ foreground: UInt32, over background: SIMD8<UInt32>, alpha: SIMD8<UInt32>) -> SIMD8<UInt32> {
        let inv = 255 &- alpha
        let rb = (SIMD8(repeating: foreground & 0xFF00FF) &* alpha &+ (background & 0xFF00FF) &* inv) &+ 0x800080
        let g = (SIMD8(repeating: foreground & 0x00FF00) &* alpha &+ (background & 0x00FF00) &* inv) &+ 0x008000
        return (((rb &+ ((rb &>> 8) & 0xFF00FF)) &>> 8) & 0xFF00FF) | (((g &+ ((g &>> 8) & 0x00FF00)) &>> 8) & 0x00FF00)
    }
}

/// A rectangle in pixels; empty when width or height is zero.
public struct PixelRect: Equatable, Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    public func intersection(_ o: PixelRect) -> PixelRect {
        let x0 = max(x, o.x), y0 = max(y, o.y)
        return PixelRect(x: x0, y: y0, width: min(maxX, o.maxX) - x0, height: min(maxY, o.maxY) - y0)
    }

    public func union(_ o: PixelRect) -> PixelRect {
        if isEmpty { return o }
        if o.isEmpty { return self }
        let x0 = min(x, o.x), y0 = min(y, o.y)
        return PixelRect(x: x0, y: y0, width: max(maxX, o.maxX) - x0, height: max(maxY, o.maxY) - y0)
    }

    public var area: Int { width * height }

    public func contains(_ o: PixelRect) -> Bool {
        o.isEmpty || (x <= o.x && y <= o.y && maxX >= o.maxX && maxY >= o.maxY)
    }
}
