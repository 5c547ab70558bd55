import Foundation
import KioskProtocol
import Testing

@Suite("Protocol: commands and bodies")
struct KioskProtocolTests {
    @Test func everyCommandSurvivesTheWire() throws {
        for command in [KioskCommand.sync, .reloadConfig] + Weather.allCases.map(KioskCommand.setWeather) {
            let wire = Command(id: 9, command)
            let back = try JSONDecoder().decode(Command.self, from: try WireEncoder().encode(wire))
            #expect(try back.parsed.get() == command)
        }
        #expect(Command(id: 1, .setWeather(.rain)) == Command(id: 1, type: "set-weather", argument: "rain"))
    }

    @Test func whatDoesNotParseSaysWhatToDo() {
        #expect(throws: CommandRefusal(.unknownCommand, "unknown command 'reboot'", hint: "use sync, reload-config or set-weather")) {
            try KioskCommand(type: "reboot", argument: nil)
        }
        #expect(throws: CommandRefusal(.badArgument, "set-weather needs clear, rain, hot or cold", hint: "pass --argument rain")) {
            try KioskCommand(type: "set-weather", argument: "snow")
        }
        #expect(throws: CommandRefusal.self) { try KioskCommand(type: "set-weather", argument: nil) }
    }

    @Test func bodiesAreTheSameBytesEveryTime() throws {
        let ack = CommandAckRequest(ok: true, message: "weather is \"rain\"\n/")
        #expect(String(decoding: try WireEncoder().encode(ack), as: UTF8.self)
            == #"{"result":"done","message":"weather is \"rain\"\n/"}"#)
        let upload = UploadRequest(
            kiosk: "k1", sentAt: "2026-11-24T07:30:01.000Z",
            events: [UploadEvent(
                seq: 1, type: "ticket.issued", deviceTime: "2026-11-24T07:29:58.412Z",
                payload: .object(["z": .number("1"), "a": .array([.bool(true), .null, .number("4.35"), .string("é")])]))])
        let text = String(decoding: try WireEncoder().encode(upload), as: UTF8.self)
        #expect(text == #"{"kiosk":"k1","sentAt":"2026-11-24T07:30:01.000Z","events":[{"seq":1,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:58.412Z","payload":{"a":[true,null,4.35,"é"],"z":1}}]}"#)
        #expect(try JSONDecoder().decode(UploadRequest.self, from: Data(text.utf8)) == upload)
        #expect(throws: EncodingError.self) { try WireEncoder().encode(JSONValue.number("inf")) }
        #expect(throws: EncodingError.self) { try WireEncoder().encode(JSONValue.number("12,5")) }
    }

    @Test func aStoredPayloadIsSentAsItIsStored() throws {
        let stored = #"{"type":"ticket.issued","ticket":"A023","estimate":480}"#
        let event = UploadEvent(seq: 7, type: "ticket.issued", deviceTime: "2026-11-24T07:29:58.412Z", payload: .verbatim(stored))
        let text = String(decoding: try WireEncoder().encode(event), as: UTF8.self)
        #expect(text == #"{"seq":7,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:58.412Z","payload":"# + stored + "}")
        let back = try JSONDecoder().decode(UploadEvent.self, from: Data(text.utf8))
        #expect(back.payload == .object(["type": .string("ticket.issued"), "ticket": .string("A023"), "estimate": .number("480")]))
        // Any other encoder parses it first: the same value.
        let viaFoundation = try JSONDecoder().decode(UploadEvent.self, from: try JSONEncoder().encode(event))
        #expect(viaFoundation.payload == back.payload)
        #expect(JSONValue.verbatim(" {}").isObject && !JSONValue.verbatim("[1]").isObject)
    }

    /// The docs say payloads are stored verbatim: a number keeps its digits through decoding and
    /// both encoders (issue 13: 12345678901234567891 came back as 1.2345678901234567e19).
    @Test func payloadNumbersKeepTheirDigits() throws {
        let text = #"{"big":12345678901234567891,"bigger":123456789012345678901234567890,"tenth":0.1,"tiny":1.5e-200,"minus":-42,"whole":1.0}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(let o) = value else { Issue.record("not an object"); return }
        #expect(o["big"] == .number("12345678901234567891"))
        #expect(o["bigger"] == .number("123456789012345678901234567890"))
        #expect(o["tenth"] == .number("0.1") && o["minus"] == .number("-42") && o["whole"] == .number("1"))
        #expect(o["tiny"] == .number("1.5e-200"))
        let wire = String(decoding: try WireEncoder().encode(value), as: UTF8.self)
        #expect(wire.contains(#""big":12345678901234567891"#) && wire.contains(#""bigger":123456789012345678901234567890"#))
        let foundation = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: foundation) == value)
        #expect(String(decoding: foundation, as: UTF8.self).contains("12345678901234567891"))
    }
}
