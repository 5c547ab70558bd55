import CLibcrypto

/// SHA-256 from libcrypto (the C function is `EVP_Digest` with `EVP_sha256`): the hash under the
/// old PIN form, whose known-answer tests check that the binding is right.
public enum SHA256 {
    public static let digestSize = 32

    /// The SHA-256 digest of `message`.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestSize)
        var length: UInt32 = 0
        let ok = (message + [0]).withUnsafeBytes { input in
            kiosk_sha256_digest(input.baseAddress, message.count, &digest, &length)
        }
        return ok == 1 && length == digestSize ? digest : []
    }

    /// The SHA-256 digest of a string's UTF-8 bytes.
    public static func hash(_ message: String) -> [UInt8] { hash(Array(message.utf8)) }
}

/// HMAC-SHA256 (RFC 2104) from libcrypto (the C function is `HMAC` with `EVP_sha256`): the
/// pseudo-random function of the old PIN form's PBKDF2.
public enum HMACSHA256 {
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: SHA256.digestSize)
        var length: UInt32 = 0
        let result = (key + [0]).withUnsafeBytes { keyBytes in
            (message + [0]).withUnsafeBufferPointer { input in
                kiosk_hmac_sha256(keyBytes.baseAddress, Int32(key.count), input.baseAddress, message.count, &mac, &length)
            }
        }
        return result != nil && length == SHA256.digestSize ? mac : []
    }
}

/// Comparison of hashes that takes the same time wherever they differ (the C function is
/// `CRYPTO_memcmp`), so timing does not tell an attacker how much of a guess was right.
enum ConstantTime {
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in kiosk_crypto_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
