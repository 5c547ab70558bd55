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
                payload: .object(["z": .number(1), "a": .array([.bool(true), .null, .number(4.35), .string("é")])]))])
        let text = String(decoding: try WireEncoder().encode(upload), as: UTF8.self)
        #expect(text == #"{"kiosk":"k1","sentAt":"2026-11-24T07:30:01.000Z","events":[{"seq":1,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:58.412Z","payload":{"a":[true,null,4.35,"é"],"z":1}}]}"#)
        #expect(try JSONDecoder().decode(UploadRequest.self, from: Data(text.utf8)) == upload)
        #expect(throws: EncodingError.self) { try WireEncoder().encode(JSONValue.number(.infinity)) }
    }

    @Test func aStoredPayloadIsSentAsItIsStored() throws {
        let stored = #"{"type":"ticket.issued","ticket":"A023","estimate":480}"#
        let event = UploadEvent(seq: 7, type: "ticket.issued", deviceTime: "2026-11-24T07:29:58.412Z", payload: .verbatim(stored))
        let text = String(decoding: try WireEncoder().encode(event), as: UTF8.self)
        #expect(text == #"{"seq":7,"type":"ticket.issued","deviceTime":"2026-11-24T07:29:58.412Z","payload":"# + stored + "}")
        let back = try JSONDecoder().decode(UploadEvent.self, from: Data(text.utf8))
        #expect(back.payload == .object(["type": .string("ticket.issued"), "ticket": .string("A023"), "estimate": .number(480)]))
        // Any other encoder parses it first: the same value.
        let viaFoundation = try JSONDecoder().decode(UploadEvent.self, from: try JSONEncoder().encode(event))
        #expect(viaFoundation.payload == back.payload)
        #expect(JSONValue.verbatim(" {}").isObject && !JSONValue.verbatim("[1]").isObject)
    }
}
