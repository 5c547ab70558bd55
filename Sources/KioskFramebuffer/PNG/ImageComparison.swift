/// How far two pictures of the same size are apart: golden-image tests and `kiosk-bench` use it.
public struct ImageComparison: Equatable, Sendable {
    /// Pixels whose worst channel differs by more than the tolerance.
    public var mismatches: Int
    /// The largest channel difference seen.
    public var worst: Int

    public init(_ a: RGBImage, _ b: RGBImage, tolerance: Int) {
        precondition(a.width == b.width && a.height == b.height, "compare pictures of the same size")
        var mismatches = 0, worst = 0
        a.pixels.withUnsafeBufferPointer { a in
            b.pixels.withUnsafeBufferPointer { b in
                for i in 0..<a.count where a[i] != b[i] {
                    let x = a[i], y = b[i]
                    let d = max(abs(Int(x >> 16 & 0xFF) - Int(y >> 16 & 0xFF)), abs(Int(x >> 8 & 0xFF) - Int(y >> 8 & 0xFF)),
                                abs(Int(x & 0xFF) - Int(y & 0xFF)))
                    if d > worst { worst = d }
                    if d > tolerance { mismatches += 1 }
                }
            }
        }
        self.mismatches = mismatches
        self.worst = worst
    }

    /// Mismatching pixels in red over a dimmed `reference`.
    public static func diffImage(_ actual: RGBImage, _ reference: RGBImage) -> RGBImage {
        var diff = reference
        for i in diff.pixels.indices {
            diff.pixels[i] = actual.pixels[i] == reference.pixels[i] ? (reference.pixels[i] >> 2) & 0x3F3F3F : 0xFF0000
        }
        return diff
    }
}
