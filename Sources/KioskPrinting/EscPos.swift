/// ESC/POS commands for thermal receipt printers, built as bytes (no I/O). Each method appends one
/// command; the names follow the Epson ESC/POS reference, which is quoted in each doc comment.
public struct EscPos: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public enum Alignment: UInt8, Sendable { case left = 0, center = 1, right = 2 }
    public enum ErrorCorrection: UInt8, Sendable { case low = 48, medium = 49, quartile = 50, high = 51 }

    /// `ESC @`: initialize printer (clears modes left by a previous job).
    public mutating func initialize() { bytes += [0x1B, 0x40] }

    /// `FS &`: select Kanji (Chinese) character mode, so GB18030 text prints as Chinese.
    public mutating func chineseMode() { bytes += [0x1C, 0x26] }

    /// `ESC a n`: select justification.
    public mutating func align(_ a: Alignment) { bytes += [0x1B, 0x61, a.rawValue] }

    /// `GS ! n`: character size, 1–8 times wide and high.
    public mutating func size(width: Int, height: Int) {
        let w = UInt8(max(1, min(8, width)) - 1), h = UInt8(max(1, min(8, height)) - 1)
        bytes += [0x1D, 0x21, w << 4 | h]
    }

    /// `ESC E n`: emphasized (bold) on or off.
    public mutating func bold(_ on: Bool) { bytes += [0x1B, 0x45, on ? 1 : 0] }

    /// Text in GB18030, then `LF`.
    public mutating func line(_ text: String) {
        bytes += PrinterText.gb18030(text)
        bytes.append(0x0A)
    }

    /// `ESC d n`: print and feed n lines.
    public mutating func feed(lines: Int) { bytes += [0x1B, 0x64, UInt8(max(0, min(255, lines)))] }

    /// A QR code through `GS ( k`: function 165 (model 2), 167 (module size), 169 (error
    /// correction), 180 (store the data), 181 (print the stored symbol).
    public mutating func qrCode(_ data: [UInt8], moduleSize: Int = 6, errorCorrection: ErrorCorrection = .medium) {
        let d = Array(data.prefix(7089))
        bytes += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, UInt8(max(1, min(16, moduleSize)))]
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, errorCorrection.rawValue]
        let length = d.count + 3
        bytes += [0x1D, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, 0x50, 0x30] + d
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
    }

    /// `GS V 66 n`: feed n dots and cut the paper (partial cut).
    public mutating func cut(feedDots: Int = 0) { bytes += [0x1D, 0x56, 0x42, UInt8(max(0, min(255, feedDots)))] }
}

/// Everything a printed ticket says, already in the resident's language.
public struct PrintedTicket: Equatable, Sendable {
    public var site: String
    /// The ticket number, printed double size ("A023").
    public var number: String
    public var service: String
    /// Issue time as printed ("2026-11-24 09:12").
    public var time: String
    /// "您前面还有 3 人".
    public var position: String
    /// "预计等候 5–10 分钟".
    public var estimate: String
    /// "服务热线 400-000-0000".
    public var phone: String
    /// What the QR code encodes: kiosk, business day and ticket ("kiosk-01/2026-11-24/A023").
    public var reference: String

    public init(site: String, number: String, service: String, time: String, position: String, estimate: String, phone: String, reference: String) {
        self.site = site; self.number = number; self.service = service; self.time = time
        self.position = position; self.estimate = estimate; self.phone = phone; self.reference = reference
    }

    /// The ESC/POS job for this ticket: centred, number double size, QR code, cut.
    public var escPos: [UInt8] {
        var p = EscPos()
        p.initialize()
        p.chineseMode()
        p.align(.center)
        p.line(site)
        p.bold(true)
        p.size(width: 2, height: 2)
        p.line(number)
        p.size(width: 1, height: 1)
        p.line(service)
        p.bold(false)
        p.line(time)
        p.line(position)
        p.line(estimate)
        p.line(phone)
        p.qrCode(Array(reference.utf8))
        p.line(reference)
        p.feed(lines: 3)
        p.cut()
        return p.bytes
    }
}
