import Foundation
import KioskCore

/// A stored event payload as kioskd replays it (`KioskEvent.decodeStored`): the strict reader
/// against JSONDecoder, the judge it must agree with. Whenever the reader answers, JSONDecoder
/// reads the same event, to the byte; and the payload JSONDecoder's event is written as (what
/// kioskd stores) is read the same by both.
@Sendable func fuzzStoredEvent(_ bytes: [UInt8]) {
    let decoder = KioskEvent.makeDecoder()
    let encoder = KioskEvent.makeEncoder()
    let slow = try? decoder.decode(KioskEvent.self, from: Data(bytes))
    agree(bytes.withUnsafeBytes { KioskEvent.readStored($0) }, slow, encoder, String(decoding: bytes, as: UTF8.self))
    if let slow, let stored = try? encoder.encode(slow) {
        let again = try? decoder.decode(KioskEvent.self, from: stored)
        agree(stored.withUnsafeBytes { KioskEvent.readStored($0) }, again, encoder, String(decoding: stored, as: UTF8.self))
    }
}

/// The reader's answer `fast` is JSONDecoder's `slow`, when it gives one.
private func agree(_ fast: KioskEvent?, _ slow: KioskEvent?, _ encoder: JSONEncoder, _ text: String) {
    guard let fast else { return }
    guard let slow else { return require(false, "the reader read what JSONDecoder refuses: \(text)") }
    require(fast == slow && (try? encoder.encode(fast)) == (try? encoder.encode(slow)), "the reader and JSONDecoder differ on \(text)")
}
