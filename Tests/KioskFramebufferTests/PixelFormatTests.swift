import KioskFramebuffer
import Testing

@Suite("Pixel formats")
struct PixelFormatTests {
    @Test(arguments: PixelFormat.named.map(\.format))
    func whiteAndPrimariesSurvivePacking(format: PixelFormat) {
        for colour: UInt32 in [0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0x000000] {
            #expect(format.unpack(format.pack(colour)) == colour, "\(format) \(String(colour, radix: 16))")
        }
    }
}
