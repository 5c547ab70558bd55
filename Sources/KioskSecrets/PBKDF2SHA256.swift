import CLibcrypto

/// The form kiosks wrote before yescrypt, `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`, computed by
/// OpenSSL's libcrypto (the C function is `PKCS5_PBKDF2_HMAC` with `EVP_sha256`). Sites have
/// `pin-hash` lines in this form, so it keeps verifying; `SecretHash.make` no longer writes it.
public enum PBKDF2SHA256 {
    public static let scheme = "pbkdf2-sha256"
    /// Iteration counts accepted in a stored hash (guards against a typo making every login take minutes).
    public static let iterationRange = 1...10_000_000

    /// PBKDF2-HMAC-SHA256 (RFC 8018) of `password` with `salt`: `length` bytes, or none if
    /// libcrypto refuses (an iteration count or length it cannot take) or cannot be loaded
    /// (CLibcrypto opens it at first use; it says why on stderr).
    public static func derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        guard (1...Int(Int32.max)).contains(iterations), (1...1024).contains(length) else { return [] }
        var out = [UInt8](repeating: 0, count: length)
        // A trailing zero keeps the buffers non-empty, so libcrypto never sees a null pointer.
        let ok = (password + [0]).withUnsafeBufferPointer { pass in
            (salt + [0]).withUnsafeBufferPointer { saltBytes in
                out.withUnsafeMutableBufferPointer { key in
                    pass.withMemoryRebound(to: CChar.self) { passChars in
                        kiosk_pbkdf2_hmac_sha256(passChars.baseAddress, Int32(password.count), saltBytes.baseAddress, Int32(salt.count),
                                                 Int32(iterations), Int32(length), key.baseAddress)
                    }
                }
            }
        }
        return ok == 1 ? out : []
    }

    /// `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX` for `secret` (UTF-8) with `salt`.
    public static func encode(secret: String, salt: [UInt8], iterations: Int) -> String {
        let derived = derive(password: Array(secret.utf8), salt: salt, iterations: iterations, length: 32)
        return "\(scheme)$\(iterations)$\(hex(salt))$\(hex(derived))"
    }

    static func verify(secret: String, against encoded: String) -> Bool {
        guard let parts = decode(encoded) else { return false }
        let derived = derive(password: Array(secret.utf8), salt: parts.salt, iterations: parts.iterations, length: 32)
        return ConstantTime.equal(derived, parts.hash)
    }

    /// The parts of a well-formed hash in this form (a 32-byte hash, 1–256 salt bytes, an iteration
    /// count in `iterationRange`), or nil.
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
