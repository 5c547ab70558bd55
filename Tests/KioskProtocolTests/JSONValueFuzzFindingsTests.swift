import Foundation
import KioskProtocol
import Testing

/// Inputs `make fuzz` found (scripts/fuzz.sh, target `central`), kept as regressions: a body the
/// centre decodes is written again (`WireEncoder`, as it stores payloads) and reads back equal.
@Suite struct JSONValueFuzzFindingsTests {
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
}
