import Foundation
import KioskProtocol
import Testing

/// Inputs `make fuzz` found (scripts/fuzz.sh, target `central`), kept as regressions: a body the
/// centre decodes is written again (`WireEncoder`, as it stores payloads) and reads back equal,
/// and a time it accepts is written back as the same time.
@Suite struct ProtocolFuzzFindingsTests {
    /// Numbers outside Decimal's exponent range fell back to the double's text, "0.0" for a
    /// zero, which reads back as "0": the stored payload changed when read twice.
    @Test(arguments: ["0e300", "-0e300", "0.0e-300", "0e128", "-0e-300", "1234560000000000000000000000000000000000000e-37"])
    func aNumberReadBackIsTheSameText(_ number: String) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[\(number)]".utf8))
        let again = try JSONDecoder().decode(JSONValue.self, from: WireEncoder().encode(value))
        #expect(again == value)
    }

    @Test func wholeAndZeroFallbacksAreWrittenShort() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[0e300,-0e300,1e128,1.5e300]".utf8))
        #expect(value == .array([.number("0"), .number("0"), .number("1e+128"), .number("1.5e+300")]))
    }

    /// The whole batch the fuzzer mutated from the seed (Fuzz/seeds/central/upload.json).
    @Test func theFoundUploadReadsBackEqual() throws {
        let body = #"{"site":"s1","kiosk":"k1","events":[{"seq":1,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:59Z","payload":{"wait":[1,2.5,12345678901234567891,-0.0,0e300],"ok":true,"none":null}}]}"#
        let upload = try JSONDecoder().decode(UploadRequest.self, from: Data(body.utf8))
        #expect(try JSONDecoder().decode(UploadRequest.self, from: WireEncoder().encode(upload)) == upload)
    }

    /// `…00.505Z` was written back as `…00.504Z` (the formatter truncates a double just below
    /// .505), and that as `…00.503Z`: a millisecond lost on every pass.
    @Test(arguments: ["2026-11-24T07:31:00.505Z", "2026-11-24T07:31:00.504Z", "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00.001Z"])
    func aTimeIsWrittenBackAsItself(_ text: String) throws {
        let date = try #require(WireTime.parse(text))
        #expect(WireTime.string(date) == text)
        #expect(WireTime.string(try #require(WireTime.parse(WireTime.string(date)))) == text)
    }

    @Test func writtenTimesRoundToTheMillisecond() {
        #expect(WireTime.string(Date(timeIntervalSince1970: 1.0006)) == "1970-01-01T00:00:01.001Z")
        #expect(WireTime.string(Date(timeIntervalSince1970: 1.0004)) == "1970-01-01T00:00:01.000Z")
        #expect(WireTime.string(Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
        #expect(WireTime.string(Date(timeIntervalSince1970: 1_795_505_460)) == "2026-11-24T07:31:00.000Z")
    }
}
