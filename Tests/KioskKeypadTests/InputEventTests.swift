import KioskKeypad
import Testing

@Suite("Input events")
struct InputEventTests {
    @Test func roundTripsThroughKernelBytes() {
        let e = InputEvent(time: 12.5, type: InputEvent.key, code: 79, value: 1)
        let back = e.bytes.withUnsafeBytes { InputEvent(bytes: $0) }
        #expect(back == e)
    }
}
