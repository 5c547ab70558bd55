/// Salted, deliberately slow hashes of secrets a person types: the kiosk's staff PINs today, the
/// centre's staff passwords next. Nothing here is cryptography of our own: new hashes are yescrypt
/// from libxcrypt (what Debian uses for login passwords), and hashes in the form older kiosks wrote
/// are checked with OpenSSL's PBKDF2.
///
/// A stored hash is one line of text, so it can live in `kiosk.conf` or a database column:
/// - `$y$PARAMETERS$SALT$HASH`: yescrypt, what `make` writes;
/// - `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`: the old form, still verified, to be renewed.
public enum SecretHash {
    /// The forms a stored hash can take.
    public enum Form: String, Sendable, Equatable {
        /// `$y$PARAMETERS$SALT$HASH`: yescrypt, memory-hard, what `make` writes.
        case yescrypt
        /// `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`, written by kiosks before yescrypt: still
        /// verified so a site's logins survive an upgrade, but cheap to guess on a graphics card.
        case pbkdf2SHA256 = "pbkdf2-sha256"

        /// Whether a hash in this form is what `make` writes today (else it should be renewed).
        public var isCurrent: Bool { self == .yescrypt }
    }

    /// yescrypt costs (libxcrypt's `count`) accepted in a stored hash; `make` uses 5.
    public static let acceptedYescryptCosts = Yescrypt.acceptedCosts

    /// A new hash of `secret` (UTF-8) with a fresh salt from the operating system's random source
    /// and libxcrypt's default yescrypt cost (about 16 MiB and a few tens of milliseconds).
    public static func make(secret: String) throws(SecretHashError) -> String {
        try Yescrypt.make(secret: secret)
    }

    /// Whether `secret` matches `encoded`, in either form. False for a malformed hash. The final
    /// comparison takes the same time wherever the hashes differ.
    public static func verify(secret: String, against encoded: String) -> Bool {
        switch form(of: encoded) {
        case .yescrypt: return Yescrypt.verify(secret: secret, against: encoded)
        case .pbkdf2SHA256: return PBKDF2SHA256.verify(secret: secret, against: encoded)
        case nil: return false
        }
    }

    /// The form of `encoded`, or nil when it is not a hash this code accepts (malformed, another
    /// crypt method, or a cost outside the accepted range).
    public static func form(of encoded: String) -> Form? {
        if Yescrypt.isWellFormed(encoded) { return .yescrypt }
        if PBKDF2SHA256.decode(encoded) != nil { return .pbkdf2SHA256 }
        return nil
    }
}

/// Why a secret could not be hashed, with what to do about it.
public struct SecretHashError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// The operating system's random source gave no salt.
        case noRandomness
        /// The secret cannot be hashed as given (it contains a NUL character or is too long).
        case unusableSecret
        /// libxcrypt refused to hash (it lacks yescrypt or is out of memory).
        case libraryFailed
    }

    public var code: Code
    /// What went wrong and what to do.
    public var message: String
    /// The errno libxcrypt left, when it left one.
    public var cause: Int32?

    public init(_ code: Code, message: String, cause: Int32? = nil) {
        self.code = code; self.message = message; self.cause = cause
    }

    public var description: String { cause.map { "\(message) [errno \($0)]" } ?? message }
}
