#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension KioskEvent {
    /// The event stored as `payload`: read by `StoredEventReader` when it is in the form
    /// `makeEncoder` writes, else by `decoder` (a `makeDecoder()`), which reads any other valid
    /// form and throws, naming the fault, for a damaged one. Either way the same event as
    /// `decoder.decode(KioskEvent.self, …)` alone, or the same error (`StoredEventReaderTests`).
    /// `decoder` is asked for only when the fast reader cannot read the payload: a start that
    /// replays only payloads `makeEncoder` wrote never makes one (nor keeps JSON's code resident).
    public static func decodeStored(_ payload: String, decoder: @autoclosure () -> JSONDecoder) throws -> KioskEvent {
        var payload = payload
        return try payload.withUTF8 { try decodeStored(UnsafeRawBufferPointer($0), decoder: decoder()) }
    }

    /// The same for the payload's UTF-8 bytes.
    public static func decodeStored(_ bytes: UnsafeRawBufferPointer, decoder: @autoclosure () -> JSONDecoder) throws -> KioskEvent {
        if let event = readStored(bytes) { return event }
        return try decoder().decode(KioskEvent.self, from: Data(bytes))
    }

    /// The event in `bytes` if they are exactly in the form `makeEncoder` writes, else nil (then
    /// ask `JSONDecoder`: nil says nothing about whether the bytes are valid).
    public static func readStored(_ bytes: UnsafeRawBufferPointer) -> KioskEvent? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var reader = StoredEventReader(base, count: bytes.count)
        return reader.event()
    }
}

/// A strict reader of the one JSON form stored events take: one object, no whitespace, keys in
/// the encoder's sorted order (so none twice), no unknown key, plain integers,
/// `YYYY-MM-DDTHH:MM:SSZ` times, strings of valid UTF-8 without raw control characters and with
/// paired surrogates. Replaying a busy day at start with `JSONDecoder` cost 91 k instructions an
/// event, most of it generic `decodeIfPresent` machinery; this reads the bytes once. It answers
/// nil for anything else, valid JSON or not, and leaves the verdict to `JSONDecoder`, so there is
/// one judge of what a payload means and this one only agrees with it, faster.
struct StoredEventReader {
    private let bytes: UnsafePointer<UInt8>
    private let count: Int
    private var i = 0
    /// How many of the fields without a default (`KioskEvent.init`'s `type`, `time`, `day`)
    /// were read: all three must be.
    private(set) var requiredFieldsRead = 0

    init(_ bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    mutating func event() -> KioskEvent? {
        var event = KioskEvent(.ticketIssued, at: Date(timeIntervalSince1970: 0), day: "")
        guard take(UInt8(ascii: "{")) else { return nil }
        var cursor = 0
        if !take(UInt8(ascii: "}")) {
            repeat {
                guard let name = key(), event.readStoredField(name, cursor: &cursor, from: &self) else { return nil }
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
        }
        guard i == count, requiredFieldsRead == 3 else { return nil }
        return event
    }

    // MARK: Values, one overload per field type (`KioskEvent.readStoredField` picks by type)

    mutating func value(_ field: inout String) -> Bool {
        guard let v = string() else { return false }
        field = v
        requiredFieldsRead += 1
        return true
    }

    mutating func value(_ field: inout Date) -> Bool {
        guard let v = date() else { return false }
        field = v
        requiredFieldsRead += 1
        return true
    }

    mutating func value<T: RawRepresentable<String>>(_ field: inout T) -> Bool {
        guard let s = string(), let v = T(rawValue: s) else { return false }
        field = v
        requiredFieldsRead += 1
        return true
    }

    mutating func value(_ field: inout String?) -> Bool { optional(&field) { $0.string() } }
    mutating func value(_ field: inout Date?) -> Bool { optional(&field) { $0.date() } }
    mutating func value(_ field: inout Bool?) -> Bool { optional(&field) { $0.bool() } }
    mutating func value(_ field: inout Int64?) -> Bool { optional(&field) { $0.integer() } }
    mutating func value(_ field: inout Int?) -> Bool {
        optional(&field) { r in r.integer().flatMap { Int(exactly: $0) } }
    }
    mutating func value<T: RawRepresentable<String>>(_ field: inout T?) -> Bool {
        optional(&field) { r in r.string().flatMap { T(rawValue: $0) } }
    }

    /// `null` (as `decodeIfPresent` reads it: nil) or a value.
    private mutating func optional<T>(_ field: inout T?, _ read: (inout StoredEventReader) -> T?) -> Bool {
        if take(literal: "null") {
            field = nil
            return true
        }
        guard let v = read(&self) else { return false }
        field = v
        return true
    }

    // MARK: Tokens

    private func peek() -> UInt8? { i < count ? bytes[i] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard i < count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    private mutating func take(literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard count - i >= n else { return false }
        for k in 0..<n where bytes[i + k] != literal.utf8Start[k] { return false }
        i += n
        return true
    }

    /// `"name":`, the name's bytes. Names are short ASCII: anything else is no field.
    private mutating func key() -> UnsafeBufferPointer<UInt8>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < count, bytes[i] != UInt8(ascii: "\"") {
            guard bytes[i] >= 0x20, bytes[i] < 0x80, bytes[i] != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        let name = UnsafeBufferPointer(start: bytes + start, count: i - start)
        guard take(UInt8(ascii: "\"")), take(UInt8(ascii: ":")) else { return nil }
        return name
    }

    private mutating func bool() -> Bool? {
        if take(literal: "true") { return true }
        if take(literal: "false") { return false }
        return nil
    }

    /// `-?(0|[1-9][0-9]*)` that fits an Int64; a fraction or exponent is left to JSONDecoder.
    private mutating func integer() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        let start = i
        var value: Int64 = 0
        while let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
            let digit = Int64(b - UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        guard i > start, i - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if let b = peek(), b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { return nil }
        return value
    }

    /// A string: the bytes between the quotes when they hold no escape, else decoded.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        var high: UInt8 = 0
        while i < count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(start: bytes + start, count: i - start)
                i += 1
                return high < 0x80 ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            guard b >= 0x20 else { return nil }
            high |= b
            i += 1
        }
        var utf8 = Array(UnsafeBufferPointer(start: bytes + start, count: i - start))
        while i < count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(validating: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = escapedScalar() else { return nil }
                    utf8.append(contentsOf: UTF8.encode(scalar)!)
                default: return nil
                }
            default:
                guard b >= 0x20 else { return nil }
                utf8.append(b)
            }
        }
        return nil
    }

    /// After `\u`: four hex digits, and for a high surrogate the `\uDC00`… that pairs with it.
    private mutating func escapedScalar() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        switch unit {
        case 0xD800...0xDBFF:
            guard take(literal: "\\u"), let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00...0xDFFF: return nil
        default: return Unicode.Scalar(unit)
        }
    }

    private mutating func hex4() -> UInt32? {
        guard count - i >= 4 else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// `"YYYY-MM-DDTHH:MM:SSZ"` (what the `.iso8601` strategy writes), a real date of the years
    /// 1900–9999 in UTC; other forms and years are left to JSONDecoder.
    private mutating func date() -> Date? {
        guard count - i >= 22, bytes[i] == UInt8(ascii: "\""), bytes[i + 21] == UInt8(ascii: "\"") else { return nil }
        let p = bytes + i + 1
        func digits(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for k in at..<at + n {
                guard p[k] >= UInt8(ascii: "0"), p[k] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int(p[k] - UInt8(ascii: "0"))
            }
            return v
        }
        guard p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"), p[10] == UInt8(ascii: "T"),
            p[13] == UInt8(ascii: ":"), p[16] == UInt8(ascii: ":"), p[19] == UInt8(ascii: "Z"),
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            year >= 1900, (1...12).contains(month), hour < 24, minute < 60, second < 60,
            day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        i += 22
        let seconds = Self.daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
    /// `days_from_civil`).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Field names packed into two words each and sorted by their bytes, as the encoder's
/// `sortedKeys` writes these ASCII names. A stored object's keys come in that order, so the
/// search for each goes on from where the last one was found: one pass over the table per event,
/// and a key out of order or given twice is not found (then JSONDecoder reads the payload). Not
/// generic over the key type: a generic one's metadata cost 200 k instructions at first use.
struct StoredFieldNames: Sendable {
    private struct Name: Sendable {
        var low: UInt64, high: UInt64, index: Int
    }
    private let names: [Name]

    /// The names' positions in `names` are what `index(named:from:)` answers. Names longer than
    /// 16 bytes are left out: never read fast (the tests would say so).
    init(_ names: [String]) {
        self.names = names.indices.compactMap { i in
            var name = names[i]
            return name.withUTF8 { Self.pack($0) }.map { Name(low: $0.low, high: $0.high, index: i) }
        }.sorted {
            // Big-endian, the words compare as the bytes do (zero-filled: a prefix first).
            ($0.low.byteSwapped, $0.high.byteSwapped) < ($1.low.byteSwapped, $1.high.byteSwapped)
        }
    }

    /// The position of `name` in the list given to `init`, looked for from `cursor` on; `cursor`
    /// then points past it.
    func index(named name: UnsafeBufferPointer<UInt8>, from cursor: inout Int) -> Int? {
        guard let (low, high) = Self.pack(name) else { return nil }
        while cursor < names.count {
            let n = names[cursor]
            cursor += 1
            if n.low == low && n.high == high { return n.index }
        }
        return nil
    }

    /// Up to 16 bytes as two little-endian words, zero-filled: the words say the length too, names
    /// holding no NUL (`StoredEventReader.key` takes none, nor does a Swift property name).
    private static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> (low: UInt64, high: UInt64)? {
        guard bytes.count <= 16 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        return (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1))
    }
}
