/// One Linux `struct input_event` (24 bytes on 64-bit: timeval, type, code, value).
public struct InputEvent: Equatable, Sendable {
    /// Seconds since the epoch (or since the recording started, for evemu files).
    public var time: Double
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(time: Double, type: UInt16, code: UInt16, value: Int32) {
        self.time = time; self.type = type; self.code = code; self.value = value
    }

    public static let synchronization: UInt16 = 0x00  // EV_SYN
    public static let key: UInt16 = 0x01  // EV_KEY
    public static let synReport: UInt16 = 0  // SYN_REPORT
    public static let synDropped: UInt16 = 3  // SYN_DROPPED

    /// Size of `struct input_event` on 64-bit Linux.
    public static let byteCount = 24

    /// Decodes one event from 24 native (little-endian) bytes.
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= InputEvent.byteCount)
        let sec = bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self)
        let usec = bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self)
        self.init(time: Double(sec) + Double(usec) / 1_000_000,
                  type: bytes.loadUnaligned(fromByteOffset: 16, as: UInt16.self),
                  code: bytes.loadUnaligned(fromByteOffset: 18, as: UInt16.self),
                  value: bytes.loadUnaligned(fromByteOffset: 20, as: Int32.self))
    }

    /// The 24 bytes the kernel would deliver for this event.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: InputEvent.byteCount)
        let sec = Int64(time.rounded(.down))
        let usec = Int64(((time - Double(sec)) * 1_000_000).rounded())
        out.withUnsafeMutableBytes { p in
            p.storeBytes(of: sec, toByteOffset: 0, as: Int64.self)
            p.storeBytes(of: usec, toByteOffset: 8, as: Int64.self)
            p.storeBytes(of: type, toByteOffset: 16, as: UInt16.self)
            p.storeBytes(of: code, toByteOffset: 18, as: UInt16.self)
            p.storeBytes(of: value, toByteOffset: 20, as: Int32.self)
        }
        return out
    }
}
