import CCrypt
#if canImport(Glibc)
import Glibc
#endif

/// yescrypt through libxcrypt: `crypt_gensalt_rn` makes the setting (method, cost, salt from the
/// OS random source), `crypt_r` hashes. The C functions are `crypt_gensalt_rn` and `crypt_r`.
enum Yescrypt {
    static let prefix = "$y$"

    /// Cost factors (crypt_gensalt's `count`) accepted in a stored hash: 1 (about 1 MiB, a few
    /// milliseconds) to 8 (128 MiB, half a second). libxcrypt's default, used by `make`, is 5. The
    /// bound keeps a pasted hash from costing gigabytes and seconds at every login.
    static let acceptedCosts = 1...8

    /// The parameter field (`j9T` for the default cost) of each accepted cost, as libxcrypt
    /// encodes it; worked out by libxcrypt itself rather than written down here.
    static let acceptedParameters: Set<String> = {
        let fixedSaltBytes = [CChar](repeating: 1, count: 16)
        return Set(acceptedCosts.compactMap { cost -> String? in
            guard let setting = try? setting(cost: cost, randomBytes: fixedSaltBytes) else { return nil }
            let fields = setting.split(separator: "$", omittingEmptySubsequences: false)
            return fields.count == 4 ? String(fields[2]) : nil
        })
    }()

    /// `$y$PARAMETERS$SALT` for `cost` (0: libxcrypt's default). Without `randomBytes` the salt comes
    /// from the operating system's random source (getrandom/getentropy inside libxcrypt).
    static func setting(cost: Int = 0, randomBytes: [CChar]? = nil) throws(SecretHashError) -> String {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        errno = 0
        let made = output.withUnsafeMutableBufferPointer { out -> Bool in
            if let randomBytes {
                return randomBytes.withUnsafeBufferPointer { bytes in
                    crypt_gensalt_rn(prefix, UInt(cost), bytes.baseAddress, Int32(bytes.count), out.baseAddress, Int32(out.count)) != nil
                }
            }
            return crypt_gensalt_rn(prefix, UInt(cost), nil, 0, out.baseAddress, Int32(out.count)) != nil
        }
        guard made else {
            let cause = errno
            if randomBytes == nil && (cause == ENOSYS || cause == EIO || cause == EAGAIN) {
                throw SecretHashError(.noRandomness,
                    message: "the operating system gave no random bytes for a salt; try again, and if it persists check that the kernel's random source (getrandom) works", cause: cause)
            }
            throw SecretHashError(.libraryFailed,
                message: "libxcrypt cannot make a yescrypt setting; install libcrypt1 4.1 or later (scripts/setup-debian.sh)", cause: cause)
        }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `crypt_r(secret, setting)`: the whole stored hash, or nil when libxcrypt refuses (it
    /// answers with a failure token starting with `*`).
    static func hash(_ secret: String, setting: String) -> String? {
        guard !secret.utf8.contains(0), secret.utf8.count < Int(CRYPT_MAX_PASSPHRASE_SIZE) else { return nil }
        // struct crypt_data is 32 KiB of scratch space: on the heap, zeroed before and after.
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
        }
        guard let result = crypt_r(secret, setting, data.assumingMemoryBound(to: crypt_data.self)),
              result.pointee != CChar(UInt8(ascii: "*"))
        else { return nil }
        return String(cString: result)
    }

    static func make(secret: String) throws(SecretHashError) -> String {
        guard !secret.utf8.contains(0), secret.utf8.count < Int(CRYPT_MAX_PASSPHRASE_SIZE) else {
            throw SecretHashError(.unusableSecret,
                message: "the secret contains a NUL character or is longer than \(Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1) bytes; choose another")
        }
        let salt = try setting()
        guard let encoded = hash(secret, setting: salt), isWellFormed(encoded) else {
            throw SecretHashError(.libraryFailed,
                message: "libxcrypt did not hash with yescrypt; install libcrypt1 4.1 or later (scripts/setup-debian.sh)", cause: errno)
        }
        return encoded
    }

    static func verify(secret: String, against encoded: String) -> Bool {
        guard isWellFormed(encoded), let computed = hash(secret, setting: encoded) else { return false }
        return ConstantTime.equal(Array(computed.utf8), Array(encoded.utf8))
    }

    /// `$y$PARAMETERS$SALT$HASH` with accepted parameters, a salt and a 32-byte hash in crypt's
    /// base-64 alphabet.
    static func isWellFormed(_ encoded: String) -> Bool {
        guard encoded.hasPrefix(prefix) else { return false }
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, acceptedParameters.contains(String(fields[2])) else { return false }
        let salt = fields[3], hash = fields[4]
        return (1...86).contains(salt.utf8.count) && salt.utf8.allSatisfy(isCryptBase64)
            && hash.utf8.count == 43 && hash.utf8.allSatisfy(isCryptBase64)
    }

    /// `./0-9A-Za-z`, the alphabet of crypt(3) salts and hashes.
    static func isCryptBase64(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): return true
        default: return false
        }
    }
}
