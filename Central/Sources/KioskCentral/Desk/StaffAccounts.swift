import Foundation
import KioskSecrets
import PostgresNIO

/// What a person at the case desk may do: a handler and a manager work on the cases of their
/// sites (a manager also sees the figures of those sites), an admin on every site.
public enum StaffRole: String, CaseIterable, Sendable {
    case handler, manager, admin
}

/// A case desk account (`staff_users`). The password hash never leaves the store.
public struct StaffUser: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var displayName: String
    public var role: StaffRole
    /// The sites this person works on; empty for an admin (every site).
    public var sites: [String]
    public var disabled: Bool
    public var createdAt: String

    /// Whether this person may see and act on the cases of `site`.
    public func covers(site: String) -> Bool { role == .admin || sites.contains(site) }

    /// The sites to show, nil meaning every site.
    public var siteScope: [String]? { role == .admin ? nil : sites }

    /// How the desk shows this person: the display name, else the account name.
    public var shownName: String { displayName.isEmpty ? name : displayName }
}

/// Rules for new passwords, the same from the command line and anywhere else.
public enum StaffPasswords {
    public static let minimumLength = 10

    /// Nil when `password` may be used, else what is wrong with it and what to do.
    public static func problem(_ password: String) -> String? {
        if password.count < minimumLength {
            return "the password has \(password.count) characters; use at least \(minimumLength) (a phrase of a few words is easy to type and hard to guess)"
        }
        if password.contains("\u{0}") || password.contains("\n") { return "the password contains a NUL or a line break; type it again" }
        if password.utf8.count > 256 { return "the password is longer than 256 bytes; use a shorter one" }
        return nil
    }
}

extension CentralStore {
    static let staffColumns = "id, name, display_name, role, sites, disabled_at IS NOT NULL, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'"

    static func staffUser(_ row: PostgresRow) throws -> StaffUser {
        let c = try row.decode((Int64, String, String, String, [String], Bool, String).self)
        return StaffUser(
            id: c.0, name: c.1, displayName: c.2, role: StaffRole(rawValue: c.3) ?? .handler, sites: c.4,
            disabled: c.5, createdAt: c.6)
    }

    /// Checks a new account's name, role and sites before anything is hashed or stored.
    public static func validateStaffAccount(name: String, role: StaffRole, sites: [String]) throws {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw CentralError(
                "account name '\(name)' must be 1–64 of A-Z a-z 0-9 . _ -",
                hint: "use a short login name such as zhang.min; the name people see goes in --display-name")
        }
        if role == .admin, !sites.isEmpty {
            throw CentralError("an admin works on every site; --site is only for handlers and managers", hint: "leave out --site")
        }
        if role != .admin, sites.isEmpty {
            throw CentralError("a \(role.rawValue) needs at least one site", hint: "pass --site SITE (repeat it for several sites)")
        }
    }

    /// Creates an account; the password is hashed here with yescrypt.
    public func addStaffUser(name: String, displayName: String, role: StaffRole, sites: [String], password: String) async throws -> StaffUser {
        try Self.validateStaffAccount(name: name, role: role, sites: sites)
        let hash = try Self.hashPassword(password)
        let sql = "INSERT INTO staff_users (name, display_name, role, sites, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING \(Self.staffColumns)"
        var binds = PostgresBindings()
        binds.append(name)
        binds.append(displayName)
        binds.append(role.rawValue)
        binds.append(Array(Set(sites)).sorted())
        binds.append(hash)
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            return try Self.staffUser(row)
        }
        throw CentralError(
            "there is already an account named \(name)",
            hint: "choose another name, or give it a new password with `kiosk-central admin user reset \(name)`")
    }

    /// A new password for an account; its sessions end (everyone signed in as it signs in again).
    public func resetStaffPassword(name: String, password: String) async throws {
        let hash = try Self.hashPassword(password)
        let found = try await transaction { conn -> Bool in
            var id: Int64?
            for try await i in try await conn.query(
                "UPDATE staff_users SET password_hash = \(hash) WHERE name = \(name) RETURNING id", logger: logger
            ).decode(Int64.self) { id = i }
            guard let id else { return false }
            try await conn.query("DELETE FROM staff_sessions WHERE user_id = \(id)", logger: logger)
            return true
        }
        if !found { throw Self.noSuchAccount(name) }
    }

    /// Disables (or enables again) an account; disabling ends its sessions at once.
    public func setStaffDisabled(name: String, _ disabled: Bool) async throws {
        let found = try await transaction { conn -> Bool in
            var id: Int64?
            for try await i in try await conn.query(
                """
                UPDATE staff_users SET disabled_at = CASE WHEN \(disabled) THEN COALESCE(disabled_at, now()) ELSE NULL END
                WHERE name = \(name) RETURNING id
                """, logger: logger
            ).decode(Int64.self) { id = i }
            guard let id else { return false }
            if disabled { try await conn.query("DELETE FROM staff_sessions WHERE user_id = \(id)", logger: logger) }
            return true
        }
        if !found { throw Self.noSuchAccount(name) }
    }

    /// Every account, by name.
    public func staffUsers() async throws -> [StaffUser] {
        var out: [StaffUser] = []
        for try await row in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.staffColumns) FROM staff_users ORDER BY name"), logger: logger)
        {
            out.append(try Self.staffUser(row))
        }
        return out
    }

    /// The live accounts that may work on `site` (for "assign to a handler").
    public func staffUsers(covering site: String) async throws -> [StaffUser] {
        try await staffUsers().filter { !$0.disabled && $0.covers(site: site) }
    }

    /// The sites of this list that no kiosk has registered yet (a likely typo).
    public func unknownSites(_ sites: [String]) async throws -> [String] {
        var out: [String] = []
        for s in sites where try await !siteExists(s) { out.append(s) }
        return out
    }

    static func noSuchAccount(_ name: String) -> CentralError {
        CentralError("there is no account named \(name)", hint: "see the accounts with `kiosk-central admin user list`")
    }

    static func hashPassword(_ password: String) throws -> String {
        if let problem = StaffPasswords.problem(password) { throw CentralError(problem, hint: "choose another password") }
        do {
            return try SecretHash.make(secret: password)
        } catch {
            throw CentralError("the password could not be hashed: \(error.message)", hint: "check that libxcrypt supports yescrypt (Debian 11 or later)")
        }
    }
}
