import KioskSecrets

/// Staff PINs as `kiosk.conf` stores them (`pin-hash = …`), never in clear. Hashing and checking
/// are `SecretHash`'s (module KioskSecrets): new lines, from `kioskctl hash-pin`, are yescrypt
/// (`$y$…`); lines in the old form `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX` still log in, and
/// `kioskd --check-config` asks for them to be renewed.
public enum PINHash {
    /// The old form's name.
    public static let scheme = PBKDF2SHA256.scheme
    public static let defaultIterations = 10_000
    /// Iteration counts accepted in a stored hash in the old form.
    public static let iterationRange = PBKDF2SHA256.iterationRange

    /// PIN "1234" in the old form with the fixed salt 00 01 … 0f: a fixture for the old form.
    public static let demoHash1234 =
        "pbkdf2-sha256$10000$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec"

    /// PIN "1234" as yescrypt at the lowest accepted cost: the demo staff of the default
    /// configuration and the shipped `kiosk.conf`. The PIN is public, so a higher cost would only
    /// slow every demo and test login; `kioskctl hash-pin` makes real PINs at the default cost.
    public static let demoYescrypt1234 = "$y$j75$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF."

    /// A new `pin-hash` value for `pin`: yescrypt with a fresh salt (what `kioskctl hash-pin` prints).
    public static func makeCurrent(pin: String) throws(SecretHashError) -> String {
        try SecretHash.make(secret: pin)
    }

    /// `pin` (UTF-8) in the old form with `salt`: for fixtures that need a fixed hash, and for
    /// kiosks older than yescrypt (they read only this form).
    public static func hash(pin: String, salt: [UInt8], iterations: Int = 10_000) -> String {
        PBKDF2SHA256.encode(secret: pin, salt: salt, iterations: max(1, iterations))
    }

    /// `pin` in the old form with a fresh random 16-byte salt and the default iteration count, for
    /// kiosks older than yescrypt; everything else wants `makeCurrent(pin:)`.
    public static func make(pin: String) -> String {
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return hash(pin: pin, salt: salt)
    }

    /// Whether `pin` matches `encoded` (either form). False for a malformed hash; the final
    /// comparison takes the same time wherever the hashes differ.
    public static func verify(pin: String, against encoded: String) -> Bool {
        SecretHash.verify(secret: pin, against: encoded)
    }

    /// Whether `encoded` is a hash in a form this kiosk accepts.
    public static func isWellFormed(_ encoded: String) -> Bool { SecretHash.form(of: encoded) != nil }
}
