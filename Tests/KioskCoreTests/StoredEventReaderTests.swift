import Foundation
import Testing

@testable import KioskCore

/// `StoredEventReader` (the fast path of `KioskEvent.decodeStored`) against `JSONDecoder`, the one
/// judge of what a payload means: whenever the reader answers, its event is JSONDecoder's, to the
/// byte; it answers for everything the encoder writes; and `decodeStored` throws exactly where
/// JSONDecoder does, with its error.
@Suite("Stored event reader")
struct StoredEventReaderTests {
    static let encoder = KioskEvent.makeEncoder()
    static let decoder = KioskEvent.makeDecoder()

    /// Checks one payload both ways; returns whether the fast path answered.
    @discardableResult
    static func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let fast = bytes.withUnsafeBytes { KioskEvent.readStored($0) }
        let slow = Result { try decoder.decode(KioskEvent.self, from: Data(bytes)) }
        let stored = Result { try bytes.withUnsafeBytes { try KioskEvent.decodeStored($0, decoder: decoder) } }
        let text = String(decoding: bytes, as: UTF8.self)
        switch (slow, stored) {
        case (.success(let s), .success(let d)):
            #expect(d == s && bytesOf(d) == bytesOf(s), "decodeStored differs from JSONDecoder on \(text)", sourceLocation: sourceLocation)
        case (.failure(let s), .failure(let d)):
            #expect("\(d)" == "\(s)", "not JSONDecoder's error on \(text)", sourceLocation: sourceLocation)
        default:
            Issue.record("decodeStored \(stored) but JSONDecoder \(slow) on \(text)", sourceLocation: sourceLocation)
        }
        guard let fast else { return false }
        if case .success(let s) = slow {
            #expect(fast == s && bytesOf(fast) == bytesOf(s), "the reader differs from JSONDecoder on \(text)", sourceLocation: sourceLocation)
        } else {
            Issue.record("the reader accepted what JSONDecoder refuses: \(text)", sourceLocation: sourceLocation)
        }
        return true
    }

    /// Equal to the byte, not only as Strings compare (canonically equivalent).
    static func bytesOf(_ e: KioskEvent) -> [UInt8] { Array(try! encoder.encode(e)) }

    static func encoded(_ e: KioskEvent) -> [UInt8] { bytesOf(e) }

    // MARK: Events

    static let oddStrings = [
        "", "A001", "repairs", "办理身份证", "等了很久 😀", "ｗｉｄｅ", "e\u{301}", "é", "a\"b", "back\\slash", "a/b",
        "line\nbreak", "tab\tcr\r", "\u{1}\u{8}\u{C}\u{1F}\u{7F}", "\u{FFFF}\u{FEFF}\u{10FFFF}", "𠀀𝄞", "null", "{\"x\":1}",
        String(repeating: "长", count: 300), "trailing space ",
    ]
    static let ints = [0, 1, -1, 7, 42, 1_000_000, Int.max, Int.min, Int(Int32.max) + 1]
    static let int64s: [Int64] = [0, 1, 12_345, Int64.max, Int64.min, -1]
    static let dates = [
        0, 1_795_510_800, 1_795_510_859, -2_208_988_800 /* 1900-01-01 */, 951_782_400 /* 2000-02-29 */,
        253_402_300_799 /* 9999-12-31T23:59:59 */, 4_107_542_400 /* 2100-03-01 */, 1_709_164_799,
    ].map { Date(timeIntervalSince1970: Double($0)) }

    /// Setters for every optional field, by name, from a generator.
    static let optionalFields: [String: @Sendable (inout KioskEvent, inout SplitMix64) -> Void] = [
        "ticket": { $0.ticket = Pick.s(&$1) }, "service": { $0.service = Pick.s(&$1) }, "fromService": { $0.fromService = Pick.s(&$1) },
        "priority": { $0.priority = Pick.b(&$1) }, "number": { $0.number = Pick.i(&$1) }, "counter": { $0.counter = Pick.i(&$1) },
        "staff": { $0.staff = Pick.s(&$1) }, "position": { $0.position = Pick.i(&$1) }, "estimateLow": { $0.estimateLow = Pick.i(&$1) },
        "estimateHigh": { $0.estimateHigh = Pick.i(&$1) }, "estimateSeconds": { $0.estimateSeconds = Pick.i(&$1) },
        "rating": { $0.rating = Pick.i(&$1) }, "score": { $0.score = Pick.i(&$1) }, "reason": { $0.reason = Pick.s(&$1) },
        "caseRef": { $0.caseRef = Pick.s(&$1) }, "deadline": { $0.deadline = Pick.d(&$1) }, "resolveBy": { $0.resolveBy = Pick.d(&$1) },
        "severity": { $0.severity = Pick.pick(&$1) }, "assignee": { $0.assignee = Pick.s(&$1) }, "channel": { $0.channel = Pick.pick(&$1) },
        "note": { $0.note = Pick.s(&$1) }, "rootCause": { $0.rootCause = Pick.s(&$1) }, "satisfied": { $0.satisfied = Pick.b(&$1) },
        "level": { $0.level = Pick.s(&$1) }, "contact": { $0.contact = Pick.s(&$1) }, "consent": { $0.consent = Pick.s(&$1) },
        "consentVersion": { $0.consentVersion = Pick.s(&$1) }, "callback": { $0.callback = Pick.pick(&$1) },
        "waitedMinutes": { $0.waitedMinutes = Pick.i(&$1) }, "message": { $0.message = Pick.s(&$1) },
        "weather": { $0.weather = Pick.pick(&$1) }, "unresolved": { $0.unresolved = Pick.b(&$1) }, "detail": { $0.detail = Pick.s(&$1) },
        "station": { $0.station = Pick.s(&$1) }, "lostFrom": { $0.lostFrom = Pick.l(&$1) }, "lostThrough": { $0.lostThrough = Pick.l(&$1) },
    ]

    /// Events of `type`: no optional field, all of them, and 40 random choices of each present
    /// or absent with odd values.
    static func events(of type: EventType, seed: UInt64) -> [KioskEvent] {
        var r = SplitMix64(seed: seed)
        var result = [KioskEvent(type, at: dates[1], day: "2026-11-24")]
        var all = KioskEvent(type, at: dates[2], day: "")
        for (_, set) in optionalFields.sorted(by: { $0.key < $1.key }) { set(&all, &r) }
        result.append(all)
        for _ in 0..<40 {
            var e = KioskEvent(type, at: Pick.d(&r), day: Pick.s(&r))
            for (_, set) in optionalFields.sorted(by: { $0.key < $1.key }) where r.next() & 1 == 0 { set(&e, &r) }
            result.append(e)
        }
        return result
    }

    @Test func theTableOfThisTestNamesEveryField() {
        let names = Set(Mirror(reflecting: KioskEvent(.ticketIssued, at: Self.dates[0], day: "")).children.compactMap(\.label))
        #expect(names == Set(Self.optionalFields.keys).union(["type", "time", "day"]), "a new KioskEvent field: add it to optionalFields")
    }

    @Test(arguments: EventType.allCases)
    func everyEncodedEventIsReadAsJSONDecoderReadsIt(type: EventType) {
        for e in Self.events(of: type, seed: SplitMix64.hash(type.rawValue)) {
            let bytes = Self.encoded(e)
            #expect(Self.agree(bytes), "the reader declined what the encoder wrote: \(String(decoding: bytes, as: UTF8.self))")
            #expect(bytes.withUnsafeBytes { KioskEvent.readStored($0) } == e)
        }
    }

    // MARK: Hand-written payloads

    /// A canonical payload with `value` (JSON text) as the `ticket` field.
    static func withTicket(_ value: String) -> [UInt8] {
        Array("{\"day\":\"2026-11-24\",\"ticket\":\(value),\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}".utf8)
    }

    static func withNumber(_ value: String) -> [UInt8] {
        Array("{\"day\":\"2026-11-24\",\"lostFrom\":\(value),\"number\":\(value),\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"events.lost\"}".utf8)
    }

    static func withTime(_ value: String) -> [UInt8] {
        Array("{\"day\":\"2026-11-24\",\"deadline\":\"\(value)\",\"time\":\"\(value)\",\"type\":\"case.opened\"}".utf8)
    }

    @Test func escapesAndUnicodeSequencesAsJSONDecoderReadsThem() {
        let accepted = [
            #""\u00e9\u0301\u4E2D\u6587""#, #""\ud83d\ude00 \uD834\uDD1E""#, #""\/\"\\\b\f\n\r\t""#, #""\u0000 NUL""#,
            #""\u001f\u007F\u0080\u07ff\u0800\uFFFF""#, #""mixed 中 \u4e2d 😀 \ud83d\ude00""#, #""""#,
        ]
        for value in accepted { #expect(Self.agree(Self.withTicket(value)), "declined \(value)") }
        let declinedOrRefused = [
            #""\ud83d""#, #""\ude00""#, #""\ud83d\u0041""#, #""\ud83dx""#, #""\u12""#, #""\u12G4""#, #""\x""#, #""\'""#,
            "\"raw\ttab\"", "\"raw\nline\"", "\"\u{1}\"", #""unterminated"#, #""\"#, "\"\u{7F}\"",
        ]
        for value in declinedOrRefused { Self.agree(Self.withTicket(value)) }
        // Invalid UTF-8 inside a string: refused by JSONDecoder, so never read.
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE4, 0xB8], [0xF4, 0x90, 0x80, 0x80]] {
            let bytes = Array("{\"day\":\"".utf8) + bad + Array("\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}".utf8)
            #expect(!Self.agree(bytes))
        }
    }

    @Test func numbersAsJSONDecoderReadsThem() {
        for value in ["0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "123456789"] {
            #expect(Self.agree(Self.withNumber(value)), "declined \(value)")
        }
        for value in [
            "9223372036854775808", "-9223372036854775809", "1.0", "1e2", "1E2", "-", "01", "-01", "00", "+1", "1.5", "0x10",
            "\"1\"", "true", "1 ", "99999999999999999999999",
        ] {
            Self.agree(Self.withNumber(value))
        }
    }

    @Test func timesAsJSONDecoderReadsThem() {
        for value in [
            "2026-11-24T09:00:00Z", "1900-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2000-02-29T12:34:56Z", "2024-02-29T23:59:59Z",
            "9999-12-31T23:59:59Z", "2026-12-31T00:00:59Z", "2100-02-28T01:02:03Z",
        ] {
            #expect(Self.agree(Self.withTime(value)), "declined \(value)")
        }
        for value in [
            "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
            "2026-04-31T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T23:60:00Z", "2026-11-24T23:59:60Z",
            "2026-11-24T09:00:00.5Z", "2026-11-24T09:00:00+00:00", "2026-11-24T09:00:00+08:00", "2026-11-24 09:00:00Z",
            "2026-11-24T09:00:00z", "1899-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1582-10-10T00:00:00Z", "2026-11-24",
            "20261124T090000Z", "2026-11-24T09:00Z", "+2026-11-24T09:00:00Z", "２026-11-24T09:00:00Z",
        ] {
            Self.agree(Self.withTime(value))
        }
    }

    @Test func otherShapesAreLeftToJSONDecoder() {
        let ok = "{\"day\":\"2026-11-24\",\"ticket\":\"A001\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}"
        #expect(Self.agree(Array(ok.utf8)))
        let others = [
            " " + ok, ok + " ", ok + "\n", ok + "{}", "{\"day\" :\"2026-11-24\"" + ok.dropFirst(15),
            "{\"ticket\":\"A001\",\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"day\":\"2026-11-25\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"newField\":1,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.mystery\"}",
            "{\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":null}",
            "{\"day\":null,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"ticket\":null,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"severity\":\"grave\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"case.opened\"}",
            "{\"day\":\"2026-11-24\",\"priority\":1,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"priority\":True,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"\\u0064ay\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
            "{\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\",}", "{}", "[]", "", "null",
            "\u{FEFF}" + ok, "{\"\":1," + ok.dropFirst(),
        ]
        for text in others { Self.agree(Array(text.utf8)) }
    }

    /// Every truncation of a payload, and every byte of it replaced by a few others: wherever
    /// the reader still answers, it answers as JSONDecoder.
    @Test func damagedPayloadsNeverReadOtherwiseThanJSONDecoder() {
        var e = KioskEvent(.caseOpened, at: Self.dates[1], day: "2026-11-24")
        e.ticket = "A0\"1"; e.number = -12; e.deadline = Self.dates[2]; e.severity = .serious; e.satisfied = false
        e.note = "办理 😀\n"; e.lostFrom = 9; e.priority = nil
        let payload = Self.encoded(e)
        for n in 0..<payload.count { Self.agree(Array(payload[..<n])) }
        let replacements: [UInt8] = [0x00, 0x09, 0x20, 0x22, 0x2C, 0x2D, 0x30, 0x31, 0x3A, 0x5C, 0x6E, 0x7B, 0x7D, 0x80, 0xFF]
        for n in payload.indices {
            for b in replacements where b != payload[n] {
                var damaged = payload
                damaged[n] = b
                Self.agree(damaged)
            }
        }
    }
}

/// Values for the generated events, from the lists above.
private enum Pick {
    typealias T = StoredEventReaderTests
    static func one<V>(_ values: [V], _ r: inout SplitMix64) -> V { values[Int(r.next() % UInt64(values.count))] }
    static func s(_ r: inout SplitMix64) -> String { one(T.oddStrings, &r) }
    static func i(_ r: inout SplitMix64) -> Int { one(T.ints, &r) }
    static func d(_ r: inout SplitMix64) -> Date { one(T.dates, &r) }
    static func l(_ r: inout SplitMix64) -> Int64 { one(T.int64s, &r) }
    static func b(_ r: inout SplitMix64) -> Bool { r.next() & 1 == 0 }
    static func pick<E: CaseIterable>(_ r: inout SplitMix64) -> E where E.AllCases == [E] { one(E.allCases, &r) }
}
