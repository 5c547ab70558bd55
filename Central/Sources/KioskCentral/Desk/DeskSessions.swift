import Foundation
import KioskSecrets
import PostgresNIO

/// A signed-in person at the case desk: their account and the session's CSRF token, which
/// every form of the session carries and every POST must send back.
public struct DeskSession: Sendable {
    public var user: StaffUser
    public var csrfToken: String
}

/// How long sessions live and how many failed logins are tolerated. Kept in PostgreSQL, so
/// several centre processes behind one nginx count as one.
public struct DeskLimits: Sendable {
    /// A session ends this long after login at the latest (longer than one shift).
    public var sessionLifetime: Int = 12 * 3600
    /// … and after this long without a request.
    public var idleTimeout: Int = 2 * 3600
    /// Failed logins per account name within `window` before logins under that name are refused.
    public var failuresPerName = 5
    /// Failed logins from one client address within `window` (any names) before it is refused.
    public var failuresPerAddress = 30
    public var window: Int = 15 * 60
    public init() {}
}

/// Why a login did not succeed; each says what to do.
public enum LoginRefusal: Error, Sendable, Equatable {
    /// Wrong name or password (which of the two is not said).
    case wrongCredentials
    /// Too many failures for this name or from this address; logins open again at `until`.
    case rateLimited(until: Date, byAddress: Bool)
}

extension CentralStore {
    /// A yescrypt hash of nothing anyone can type, checked when the name is unknown so an unknown
    /// name takes as long as a wrong password.
    static let decoyHash: String = (try? SecretHash.make(secret: UUID().uuidString + UUID().uuidString)) ?? ""

    /// Checks a login and opens a session. The attempt is counted as a failure before the
    /// password is checked (under a per-name advisory lock), so parallel guesses cannot slip past
    /// the limit; success then marks it as such.
    public func login(name: String, password: String, address: String, limits: DeskLimits = DeskLimits()) async throws -> (token: String, session: DeskSession) {
        let name = String(name.prefix(64))
        // The refusal is returned, not thrown: the transaction would wrap a thrown one.
        let checked: Result<(id: Int64, hash: String?, user: StaffUser?), LoginRefusal> = try await transaction { conn in
            try await conn.query("SELECT pg_advisory_xact_lock(80419, hashtext(\(name)))", logger: logger)
            let window = Int32(limits.window)
            let checks: [(String, String, Int, Bool)] = [
                ("name", name, limits.failuresPerName, false), ("address", address, limits.failuresPerAddress, true),
            ]
            for (column, value, limit, byAddress) in checks {
                // Failures in the window since the last success of that name (or address).
                let sql = """
                    SELECT count(*), min(at) + make_interval(secs => $3), max(at) + make_interval(secs => $3)
                    FROM (SELECT at FROM login_attempts
                          WHERE \(column) = $1 AND NOT succeeded AND at > now() - make_interval(secs => $3)
                            AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE \(column) = $1 AND succeeded), '-infinity')
                          ORDER BY at DESC LIMIT $2) recent
                    """
                var binds = PostgresBindings()
                binds.append(value)
                binds.append(Int64(limit))
                binds.append(window)
                for try await (count, opens, _) in try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                    .decode((Int64, Date?, Date?).self) where count >= limit
                {
                    return .failure(.rateLimited(until: opens ?? Date().addingTimeInterval(Double(limits.window)), byAddress: byAddress))
                }
            }
            var id: Int64 = 0
            for try await i in try await conn.query(
                "INSERT INTO login_attempts (name, address, succeeded) VALUES (\(name), \(address), false) RETURNING id",
                logger: logger
            ).decode(Int64.self) { id = i }
            var hash: String?
            var user: StaffUser?
            for try await row in try await conn.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.staffColumns), password_hash FROM staff_users WHERE name = $1", binds: {
                    var b = PostgresBindings()
                    b.append(name)
                    return b
                }()), logger: logger)
            {
                user = try Self.staffUser(row)
                hash = try row.makeRandomAccess()[7].decode(String.self)
            }
            return .success((id, hash, user))
        }
        let attempt = try checked.get()
        let matches = SecretHash.verify(secret: password, against: attempt.hash ?? Self.decoyHash)
        guard matches, let user = attempt.user, !user.disabled else { throw LoginRefusal.wrongCredentials }
        let token = Self.newToken(prefix: "kds")
        let csrf = Self.newToken(prefix: "csrf")
        try await transaction { conn in
            try await conn.query("UPDATE login_attempts SET succeeded = true WHERE id = \(attempt.id)", logger: logger)
            try await conn.query(
                """
                INSERT INTO staff_sessions (token_hash, user_id, csrf_token, expires_at)
                VALUES (encode(sha256(convert_to(\(token), 'UTF8')), 'hex'), \(user.id), \(csrf),
                        now() + make_interval(secs => \(Int32(limits.sessionLifetime))))
                """, logger: logger)
            // Old attempts are of no use after the window: keep the table small.
            try await conn.query(
                "DELETE FROM login_attempts WHERE at < now() - interval '1 day'", logger: logger)
            try await conn.query("DELETE FROM staff_sessions WHERE expires_at < now()", logger: logger)
        }
        return (token, DeskSession(user: user, csrfToken: csrf))
    }

    /// The live session of a cookie value, nil when unknown, expired, idle too long or the
    /// account is disabled. Seeing it moves its idle clock.
    public func deskSession(token: String, limits: DeskLimits = DeskLimits()) async throws -> DeskSession? {
        let sql = """
            UPDATE staff_sessions s SET last_seen_at = now()
            FROM staff_users u
            WHERE s.token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') AND u.id = s.user_id
              AND u.disabled_at IS NULL AND s.expires_at > now()
              AND s.last_seen_at > now() - make_interval(secs => $2)
            RETURNING u.id, u.name, u.display_name, u.role, u.sites, u.disabled_at IS NOT NULL,
                      to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC', s.csrf_token
            """
        var binds = PostgresBindings()
        binds.append(token)
        binds.append(Int32(limits.idleTimeout))
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            let csrf = try row.makeRandomAccess()[7].decode(String.self)
            return DeskSession(user: try Self.staffUser(row), csrfToken: csrf)
        }
        return nil
    }

    /// Ends a session (logout).
    public func endDeskSession(token: String) async throws {
        try await client.query(
            "DELETE FROM staff_sessions WHERE token_hash = encode(sha256(convert_to(\(token), 'UTF8')), 'hex')", logger: logger)
    }
}
