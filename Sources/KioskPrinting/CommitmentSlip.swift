/// Everything a commitment slip (承诺兑现单) says, already in the site's language: the resident's
/// copy (reference large and as a QR code, what was reported, the deadlines, the hotline) and
/// the office's copy (the same and who took it, with a line to sign), cut apart in one job.
public struct CommitmentSlip: Equatable, Sendable {
    public var site: String
    /// "承诺兑现单" and "承诺兑现单（存根）".
    public var title: String
    public var officeTitle: String
    /// The case reference ("R20261203-001"): printed double size and encoded in the QR code.
    public var reference: String
    /// "跟进单号 R20261203-001".
    public var referenceLine: String
    /// The resident's lines, in order: what was reported, the visit, when received, the deadlines,
    /// the hotline, how to look it up.
    public var lines: [String]
    /// The office copy's extra lines (who took it, signature).
    public var officeLines: [String]

    public init(site: String, title: String, officeTitle: String, reference: String, referenceLine: String, lines: [String], officeLines: [String]) {
        self.site = site; self.title = title; self.officeTitle = officeTitle; self.reference = reference
        self.referenceLine = referenceLine; self.lines = lines; self.officeLines = officeLines
    }

    /// The ESC/POS job: the resident's copy with a QR code of the reference, a cut, the office's
    /// copy, a cut.
    public var escPos: [UInt8] {
        var p = EscPos()
        p.initialize()
        p.chineseMode()
        copy(&p, title: title, extra: [])
        p.qrCode(Array(reference.utf8))
        p.line(reference)
        p.feed(lines: 3)
        p.cut()
        p.initialize()
        p.chineseMode()
        copy(&p, title: officeTitle, extra: officeLines)
        p.feed(lines: 3)
        p.cut()
        return p.bytes
    }

    private func copy(_ p: inout EscPos, title: String, extra: [String]) {
        p.align(.center)
        p.line(site)
        p.bold(true)
        p.size(width: 2, height: 2)
        p.line(title)
        p.size(width: 1, height: 2)
        p.line(referenceLine)
        p.size(width: 1, height: 1)
        p.bold(false)
        p.align(.left)
        for line in lines + extra { p.line(line) }
        p.align(.center)
    }
}
