#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Any JSON value, so the kiosk's event payload passes through unchanged.
public indirect enum JSONValue: Codable, Sendable, Equatable {
    /// `number` is the number's text: exact for up to 38 significant digits (12345678901234567891
    /// stays itself, not 1.2345678901234567e19), else the nearest double, shortest form.
    case null, bool(Bool), number(String), string(String), array([JSONValue]), object([String: JSONValue])
    /// JSON text sent as it is, unparsed: the kiosk's stored event JSON on its way out
    /// (parsing and re-encoding every payload would double an upload's cost). `WireEncoder`
    /// writes it verbatim; other encoders parse it first. Decoding never produces it.
    case verbatim(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) {
            // Decimal keeps every digit; it is taken when it agrees with the double (out of its
            // exponent range it fails or drifts, and the double's own text is kept).
            if let d = try? c.decode(Decimal.self), Double(d.description) == n { self = .number(d.description) }
            else { self = .number(Self.shortest(n)) }
        }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Objects with their keys sorted, so a payload is always the same bytes.
    public func encode(to encoder: Encoder) throws {
        if case .verbatim(let text) = self {
            try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).encode(to: encoder)
            return
        }
        if case .object(let o) = self {
            var keyed = encoder.container(keyedBy: Key.self)
            for key in o.keys.sorted() { try keyed.encode(o[key]!, forKey: Key(key)) }
            return
        }
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let text):
            if let i = Int64(text) { try c.encode(i) }
            else if let d = Decimal(string: text), d.description == text { try c.encode(d) }
            else { try c.encode(Double(text) ?? .nan) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object, .verbatim: break  // above
        }
    }

    /// A double's text in the form the Decimal path gives a whole number: `0` for both zeros
    /// and no `.0`, so a payload read twice is the same text (`0e300` was stored as `0.0`, which
    /// reads back as `0`; found by fuzzing).
    static func shortest(_ n: Double) -> String {
        if n == 0 { return "0" }
        let text = "\(n)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public var isObject: Bool {
        switch self {
        case .object: true
        case .verbatim(let text): text.first { !$0.isWhitespace } == "{"
        default: false
        }
    }
}

/// ISO 8601 in UTC with milliseconds, the protocol's one time format.
public enum WireTime {
    /// Rounded to the nearest millisecond, which is written by hand: the formatter truncates,
    /// and a time read from `…00.505Z` is a double just below .505, so it was written back as
    /// `…00.504Z`, then `…00.503Z`: every pass through a reader and a writer lost a millisecond
    /// (found by fuzzing).
    public static func string(_ date: Date) -> String {
        var (seconds, milliseconds) = Int64((date.timeIntervalSince1970 * 1000).rounded()).quotientAndRemainder(dividingBy: 1000)
        if milliseconds < 0 { seconds -= 1; milliseconds += 1000 }
        let whole = Date.ISO8601FormatStyle().format(Date(timeIntervalSince1970: Double(seconds)))
        let digits = String(milliseconds)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// The times the protocol carries: 1970-01-01 to 9999-12-31 (what PostgreSQL stores and
    /// `string` writes back as four-digit years).
    public static let range = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// Nil for anything but an ISO 8601 time within `range`.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 40,
            let d = (try? Date(text, strategy: .iso8601))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        else { return nil }
        return range.contains(d) ? d : nil
    }
}
