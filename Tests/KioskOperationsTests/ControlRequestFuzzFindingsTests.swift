import KioskRuntime
import Testing

/// Inputs `make fuzz` found (scripts/fuzz.sh, target `control`), kept as regressions: what
/// kioskctl sends for a request (`ControlRequest.line`) must read back as that request.
@Suite struct ControlRequestFuzzFindingsTests {
    /// A tab or CR before a combining mark: the words were split on Characters, and " \u{349}"
    /// is one Character, so the station's first word glued to the verb once written with spaces.
    @Test func aStationWordStartingWithACombiningMarkReadsBack() throws {
        let found: [UInt8] = Array("screenshot \r\u{349}re\u{E211}s\u{349}re\u{E211}1111nhe1s111es\r\r\u{349}re".utf8)
        let request = try ControlRequest.parse(found).get()
        #expect(request == .screenshot(station: "\u{349}re\u{E211}s\u{349}re\u{E211}1111nhe1s111es \u{349}re", size: nil))
        #expect(ControlRequest.parse(request.line) == .success(request))
        for line in ["screenshot\t\u{301}lobby", "screenshot a \u{301}b --size 800x480", "weather\t\u{301}rain"] {
            if case .success(let r) = ControlRequest.parse(line) { #expect(ControlRequest.parse(r.line) == .success(r), "\(line)") }
        }
    }

    /// A CRLF line end (`nc -C`, a Windows client) is a separator too: "\r\n" is one Character.
    @Test func crlfEndsARequest() {
        #expect(ControlRequest.parse("counter open 2\r\n") == .success(.counter(.open, 2)))
        #expect(ControlRequest.parse("screenshot lobby\r\n") == .success(.screenshot(station: "lobby", size: nil)))
    }
}
