import Foundation
import KioskCore
import KioskProtocol

/// A request body as kiosk-central reads it (`decodeBody`): the byte check before decoding
/// (`BodyCheck`), then each body type of the API, then what the routes do with the result.
/// (kiosk-central's desk reads HTML forms, not JSON: not here.)
@Sendable func fuzzCentral(_ bytes: [UInt8]) {
    if BodyCheck.problem(in: bytes) != nil { return }  // a 400 before decoding
    let data = Data(bytes)
    let decoder = JSONDecoder()
    if let value = try? decoder.decode(JSONValue.self, from: data) {
        require(depth(value) <= ProtocolLimits.maxJSONDepth, "a body nested \(depth(value)) deep passed the check")
        roundTrip(value)
    }
    if let upload = try? decoder.decode(UploadRequest.self, from: data) {
        roundTrip(upload)
        for e in upload.events {
            checkTime(e.deviceTime)
            if e.payload.isObject, let payload = try? WireEncoder().encode(e.payload) {
                // The centre reads case events back as the kiosk's own events.
                if let event = try? KioskEvent.makeDecoder().decode(KioskEvent.self, from: payload),
                    let again = try? KioskEvent.makeEncoder().encode(event) {
                    let reread = try? KioskEvent.makeDecoder().decode(KioskEvent.self, from: again)
                    require(reread == event, "a kiosk event does not survive the centre's coders: \(event)")
                }
            }
        }
        upload.sentAt.map(checkTime)
    }
    if let beat = try? decoder.decode(Heartbeat.self, from: data) {
        roundTrip(beat)
        [beat.oldestUnsent, beat.lastSuccess].compactMap { $0 }.forEach(checkTime)
    }
    if let upload = try? decoder.decode(ContactsUpload.self, from: data) {
        roundTrip(upload)
        for contact in upload.contacts {
            checkTime(contact.givenAt)
            // The masked form (the only one logs and screens see) shows at most the usual three
            // operator digits and the last four.
            let masked = ContactNumber.masked(contact.number)
            require(masked.count == contact.number.count, "'\(masked)' is not as long as the number")
            require(masked.filter { $0 != "*" }.count <= 7, "'\(masked)' shows more than seven characters")
        }
    }
    if let r = try? decoder.decode(RegisterKioskRequest.self, from: data) { roundTrip(r) }
    if let r = try? decoder.decode(PublishConfigRequest.self, from: data) { roundTrip(r) }
    if let r = try? decoder.decode(CommandAckRequest.self, from: data) { roundTrip(r) }
    if let r = try? decoder.decode(QueueCommandRequest.self, from: data) {
        roundTrip(r)
        do throws(CommandRefusal) {
            let command = try KioskCommand(type: r.type, argument: r.argument)
            require((try? KioskCommand(type: command.kind.rawValue, argument: command.argument)) == command, "\(command) does not read back")
        } catch {
            require(error.message.utf8.count + error.hint.utf8.count <= longestDiagnostic, "a refusal of \(error.message.utf8.count) bytes")
        }
    }
}

/// Nesting of arrays and objects (a scalar is 0).
func depth(_ value: JSONValue) -> Int {
    switch value {
    case .array(let a): 1 + (a.map(depth).max() ?? 0)
    case .object(let o): 1 + (o.values.map(depth).max() ?? 0)
    default: 0
    }
}

/// What the centre decodes it can write again (the kiosk's `WireEncoder`) and read back equal:
/// stored payloads are verbatim.
func roundTrip<T: Codable & Equatable>(_ value: T) {
    let encoded: Data
    do { encoded = try WireEncoder().encode(value) } catch {
        require(false, "\(T.self) decoded but cannot be encoded again: \(error)")
        return
    }
    let again = try? JSONDecoder().decode(T.self, from: encoded)
    require(again == value, "\(T.self) does not read back equal: \(String(decoding: encoded.prefix(300), as: UTF8.self))")
}

/// A time the centre accepts is written back as a time it accepts, to the nearest millisecond,
/// and that text is written back unchanged however often it is read and written again.
func checkTime(_ text: String) {
    guard let date = WireTime.parse(text) else { return }
    let written = WireTime.string(date)
    guard let again = WireTime.parse(written) else {
        require(false, "'\(text)' is accepted but written back as '\(written)', which is not")
        return
    }
    require(abs(again.timeIntervalSince(date)) <= 0.000_501, "'\(text)' written back as '\(written)'")
    require(WireTime.string(again) == written, "'\(written)' is written back as '\(WireTime.string(again))'")
}
