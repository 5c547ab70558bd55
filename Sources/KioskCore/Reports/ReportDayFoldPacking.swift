#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The stored form of a `ReportDayFold`: a compact binary of its fields in a fixed order
/// (integers as zigzag varints, texts length-prefixed UTF-8, histograms as ascending deltas).
/// kiosk-central stores a fold per kiosk and business day and a year of a fleet is 182,500 of
/// them: JSON through `Codable` costs tens of microseconds per fold in keys alone, this a few.
/// The first byte is the format version; a fold of another version does not unpack (the centre
/// folds that day again from its events). Version 2 added `carePredicted`.
extension ReportDayFold {
    public static let packingVersion: UInt8 = 2

    public func packed() -> [UInt8] {
        var w = PackWriter()
        w.bytes.append(Self.packingVersion)
        w.string(day); w.string(timeZone); w.int(events)
        w.tally(overall)
        w.map(services) { $0.tally($1) }
        w.histogram(unassignedWaits)
        w.map(staff) { w, s in
            w.int(s.served); w.sum(s.serviceTimes); w.int(s.scoreSum); w.int(s.ratings); w.int(s.topTwo)
        }
        for n in hourIssued { w.int(n) }
        for s in hourWaits { w.sum(s) }
        w.int(careRaised); w.int(careAcknowledged); w.sum(careDelays); w.int(carePredicted)
        w.int(uncalled); w.map(uncalledByService) { $0.int($1) }
        w.int(closed ? 1 : 0)
        w.int(openedCases.count)
        for ref in openedCases { w.string(ref) }
        for levels in [ratingLevels, staffRatingLevels] {
            w.map(levels) { w, counts in
                w.int(counts.count)
                for c in counts { w.int(c) }
            }
        }
        return w.bytes
    }

    /// Throws `PackError` for bytes that are not a fold of this version.
    public init(packed bytes: some Collection<UInt8>) throws {
        var r = PackReader(Array(bytes))
        guard try r.byte() == Self.packingVersion else { throw PackError() }
        self.init(day: try r.string(), timeZone: try r.string())
        events = try r.int()
        overall = try r.tally()
        services = try r.map { try $0.tally() }
        unassignedWaits = try r.histogram()
        staff = try r.map { r in
            StaffTally(served: try r.int(), serviceTimes: try r.sum(), scoreSum: try r.int(), ratings: try r.int(), topTwo: try r.int())
        }
        for h in 0..<24 { hourIssued[h] = try r.int() }
        for h in 0..<24 { hourWaits[h] = try r.sum() }
        careRaised = try r.int(); careAcknowledged = try r.int(); careDelays = try r.sum(); carePredicted = try r.int()
        uncalled = try r.int(); uncalledByService = try r.map { try $0.int() }
        closed = try r.int() != 0
        openedCases = try (0..<r.count()).map { _ in try r.string() }
        func levels(_ r: inout PackReader) throws -> [String: [Int]] {
            try r.map { r in try (0..<r.count()).map { _ in try r.int() } }
        }
        ratingLevels = try levels(&r)
        staffRatingLevels = try levels(&r)
        guard r.atEnd else { throw PackError() }
    }

    /// An empty fold of `day` (what `init(packed:)` fills in).
    init(day: String, timeZone: String) {
        self.day = day
        self.timeZone = timeZone
    }
}

/// Bytes that are not a packed `ReportDayFold` of this version (truncated, another version).
public struct PackError: Error, CustomStringConvertible {
    public var description: String { "not a report day fold of packing version \(ReportDayFold.packingVersion)" }
}

struct PackWriter {
    var bytes: [UInt8] = []

    mutating func int(_ v: Int) {
        var z = UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))
        while z >= 0x80 {
            bytes.append(UInt8(z & 0x7F) | 0x80)
            z >>= 7
        }
        bytes.append(UInt8(z))
    }

    mutating func string(_ s: String) {
        int(s.utf8.count)
        bytes += s.utf8
    }

    mutating func double(_ d: Double) {
        let b = d.bitPattern
        for i in 0..<8 { bytes.append(UInt8((b >> (8 * UInt64(i))) & 0xFF)) }
    }

    mutating func sum(_ s: SecondsSum) { int(s.count); int(s.sum) }

    /// Keys ascending, so a fold packs to the same bytes every time.
    mutating func map<V>(_ m: [String: V], _ value: (inout PackWriter, V) -> Void) {
        int(m.count)
        for (k, v) in m.sorted(by: { $0.key < $1.key }) {
            string(k)
            value(&self, v)
        }
    }

    mutating func histogram(_ h: SecondsHistogram) {
        int(h.counts.count)
        var last = 0
        for (seconds, n) in h.counts.sorted(by: { $0.key < $1.key }) {
            int(seconds - last); int(n)
            last = seconds
        }
    }

    mutating func tally(_ t: ReportTally) {
        for n in [t.issued, t.priority, t.called, t.served, t.noShows, t.walkOuts, t.transfers] { int(n) }
        histogram(t.waits)
        for n in [t.withinTarget, t.promiseAsked, t.promiseKept] { int(n) }
        let e = t.estimates
        for n in [e.count, e.kept, e.inside, e.under] { int(n) }
        double(e.absoluteErrorSeconds); double(e.errorSeconds)
        int(e.widths.count)
        for (w, n) in e.widths.sorted(by: { $0.key < $1.key }) { int(w); int(n) }
        histogram(t.serviceTimes)
        for n in [t.scoreSum, t.ratings, t.topTwo, t.misuse, t.notRated] { int(n) }
        map(t.reasons) { $0.int($1) }
    }
}

struct PackReader {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { at == bytes.count }

    mutating func byte() throws -> UInt8 {
        guard at < bytes.count else { throw PackError() }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func int() throws -> Int {
        var z: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            z |= UInt64(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
            guard shift < 64 else { throw PackError() }
        }
        return Int(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
    }

    /// A count of items to follow (at most one per remaining byte).
    mutating func count() throws -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - at else { throw PackError() }
        return n
    }

    mutating func string() throws -> String {
        let n = try count()
        defer { at += n }
        return String(decoding: bytes[at..<at + n], as: UTF8.self)
    }

    mutating func double() throws -> Double {
        var b: UInt64 = 0
        for i in 0..<8 { b |= UInt64(try byte()) << (8 * UInt64(i)) }
        return Double(bitPattern: b)
    }

    mutating func sum() throws -> SecondsSum {
        var s = SecondsSum()
        s.count = try int()
        s.sum = try int()
        return s
    }

    mutating func map<V>(_ value: (inout PackReader) throws -> V) throws -> [String: V] {
        let n = try count()
        var m: [String: V] = [:]
        m.reserveCapacity(n)
        for _ in 0..<n {
            let k = try string()
            m[k] = try value(&self)
        }
        return m
    }

    mutating func histogram() throws -> SecondsHistogram {
        var counts: [Int: Int] = [:]
        var (total, sum, last) = (0, 0, 0)
        let n = try count()
        counts.reserveCapacity(n)
        for _ in 0..<n {
            last += try int()
            let c = try int()
            counts[last] = c
            total += c
            sum += last * c
        }
        return SecondsHistogram(counts: counts, count: total, sum: sum)
    }

    mutating func tally() throws -> ReportTally {
        var t = ReportTally()
        t.issued = try int(); t.priority = try int(); t.called = try int(); t.served = try int()
        t.noShows = try int(); t.walkOuts = try int(); t.transfers = try int()
        t.waits = try histogram()
        t.withinTarget = try int(); t.promiseAsked = try int(); t.promiseKept = try int()
        let (count, kept, inside, under) = (try int(), try int(), try int(), try int())
        let (absolute, error) = (try double(), try double())
        var widths: [Int: Int] = [:]
        let n = try self.count()
        for _ in 0..<n {
            let w = try int()
            widths[w] = try int()
        }
        t.estimates = EstimateAccuracy.Tally(
            count: count, kept: kept, inside: inside, absoluteErrorSeconds: absolute, errorSeconds: error, under: under,
            widths: widths)
        t.serviceTimes = try histogram()
        t.scoreSum = try int(); t.ratings = try int(); t.topTwo = try int(); t.misuse = try int(); t.notRated = try int()
        t.reasons = try map { try $0.int() }
        return t
    }
}
