/// Salted, slow hashes of staff PINs: `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`.
/// (Placeholder: the configuration helper replaces this file with the real implementation.)
public enum PINHash {
    public static let demoHash1234 = "pbkdf2-sha256$10000$00$00"
    public static func verify(pin: String, against encoded: String) -> Bool { false }
}
