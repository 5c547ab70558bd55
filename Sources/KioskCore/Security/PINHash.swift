/// Salted, slow hashes of staff PINs: `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`.
///
/// PINs are never stored in clear: `kiosk.conf` holds `pin-hash = …` lines produced by
/// `kioskctl hash-pin`, and the daemon checks a typed PIN with `verify`.
public enum PINHash {
    public static let scheme = "pbkdf2-sha256"
    public static let defaultIterations = 10_000
    /// Iteration counts accepted in a stored hash (guards against a typo making every login take minutes).
    public static let iterationRange = 1...10_000_000

    /// A hash of PIN "1234" with the fixed salt 00 01 … 0f: the demo staff in the default configuration.
    public static let demoHash1234 =
        "pbkdf2-sha256$10000$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec"

    /// `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX` for `pin` (UTF-8) with `salt`.
    public static func hash(pin: String, salt: [UInt8], iterations: Int = 10_000) -> String {
        let derived = PBKDF2SHA256.derive(password: Array(pin.utf8), salt: salt, iterations: max(1, iterations), length: 32)
        return "\(scheme)$\(max(1, iterations))$\(hex(salt))$\(hex(derived))"
    }

    /// A hash of `pin` with a fresh random 16-byte salt and the default iteration count.
    public static func make(pin: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return hash(pin: pin, salt: salt)
    }

    /// Whether `pin` matches `encoded`. False for a malformed hash. The final comparison takes the
    /// same time wherever the digests differ.
    public static func verify(pin: String, against encoded: String) -> Bool {
        guard let parts = decode(encoded) else { return false }
        let derived = PBKDF2SHA256.derive(password: Array(pin.utf8), salt: parts.salt, iterations: parts.iterations, length: 32)
        return constantTimeEqual(derived, parts.hash)
    }

    /// Whether `encoded` has the `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX` shape with a 32-byte hash.
    public static func isWellFormed(_ encoded: String) -> Bool { decode(encoded) != nil }

    static func decode(_ encoded: String) -> (iterations: Int, salt: [UInt8], hash: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme,
              !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 9,
              let iterations = Int(parts[1]), iterationRange.contains(iterations),
              let salt = unhex(parts[2]), !salt.isEmpty, salt.count <= 256,
              let hash = unhex(parts[3]), hash.count == 32
        else { return nil }
        return (iterations, salt, hash)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0f)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
