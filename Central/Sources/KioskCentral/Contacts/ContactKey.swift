import Crypto
import Foundation

/// The key residents' call-back numbers are sealed with at rest (AES-256-GCM, swift-crypto):
/// read from a file named in the centre's configuration (`--contact-key-file`), never stored in
/// the database, so a copy of the database alone reveals no number. The file holds 32 random
/// bytes as 64 hex digits (`openssl rand -hex 32 > contact.key; chmod 600 contact.key`).
///
/// Each number is sealed with its site and reference as authenticated data, so a sealed value
/// copied onto another case does not open. `id` (the first 8 hex digits of the key's SHA-256) is
/// stored with each sealed value, so a centre started with another key says so instead of
/// failing to open.
public struct ContactKey: Sendable {
    let key: SymmetricKey
    public let id: String

    public init(hex: String) throws(CentralError) {
        let text = hex.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let bytes = Self.bytes(hex: text) else {
            throw CentralError(
                "the contact key is not 64 hex digits (32 bytes) but \(text.count) characters",
                hint: "write a new one with `openssl rand -hex 32 > contact.key` (keep the old one if numbers were sealed with it)")
        }
        key = SymmetricKey(data: bytes)
        id = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined().prefix(8).description
    }

    /// Reads the key file; every failure says which file and what to do.
    public static func load(path: String) throws(CentralError) -> ContactKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CentralError(
                "cannot read the contact key file \(path): \(error.localizedDescription)",
                hint: "create it with `openssl rand -hex 32 > \(path); chmod 600 \(path)`, readable by kiosk-central only")
        }
        do {
            return try ContactKey(hex: text)
        } catch {
            throw CentralError("\(path): \(error.message)", hint: error.hint)
        }
    }

    /// Seals `number` for case (`site`, `ref`): nonce, ciphertext and tag in one value.
    public func seal(_ number: String, site: String, ref: String) throws -> Data {
        let box = try AES.GCM.seal(Data(number.utf8), using: key, authenticating: Self.context(site: site, ref: ref))
        guard let combined = box.combined else { throw CentralError("AES-GCM gave no combined form", hint: "this is a bug") }
        return combined
    }

    /// Opens what `seal` made for the same case; throws when the key or the case differ.
    public func open(_ sealed: Data, site: String, ref: String) throws -> String {
        let box = try AES.GCM.SealedBox(combined: sealed)
        return String(decoding: try AES.GCM.open(box, using: key, authenticating: Self.context(site: site, ref: ref)), as: UTF8.self)
    }

    static func context(site: String, ref: String) -> Data { Data("kiosk-contact\u{0}\(site)\u{0}\(ref)".utf8) }

    static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var chars = hex.makeIterator()
        while let hi = chars.next() {
            guard let lo = chars.next(), let h = hi.hexDigitValue, let l = lo.hexDigitValue else { return nil }
            out.append(UInt8(h * 16 + l))
        }
        return out
    }
}

/// What the centre does with call-back numbers: the key (nil: none configured — numbers are
/// then refused and stay at the kiosks, which send them again later) and how long after its
/// case is closed a number is kept (`--contact-retention`, default 90 days).
public struct ContactSettings: Sendable {
    public var key: ContactKey?
    public var retention: TimeInterval = 90 * 86400
    public init(key: ContactKey? = nil, retention: TimeInterval = 90 * 86400) { self.key = key; self.retention = retention }
}
