import Foundation
import KioskSecrets
import PostgresNIO
import Testing

@testable import KioskCentral

/// Case desk accounts, sessions and the login limit on a real PostgreSQL (the pages themselves
/// are driven in Chromium by Tests/Central/desk_test.py).
@Suite("Case desk accounts and sessions", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct DeskAccountTests {
    static let password = "correct horse battery"

    @Test func accountsKeepOnlyAYescryptHashAndRefuseBadInput() async throws {
        try await withLiveCentral { c in
            let user = try await c.store.addStaffUser(
                name: "li.na", displayName: "李娜", role: .handler, sites: ["site-a"], password: Self.password)
            #expect(user.covers(site: "site-a") && !user.covers(site: "site-b") && user.shownName == "李娜")
            var hash = ""
            for try await h in try await c.store.client.query("SELECT password_hash FROM staff_users WHERE name = 'li.na'")
                .decode(String.self) { hash = h }
            #expect(SecretHash.form(of: hash) == .yescrypt && SecretHash.verify(secret: Self.password, against: hash))
            await #expect(throws: CentralError.self) {
                _ = try await c.store.addStaffUser(name: "li.na", displayName: "", role: .handler, sites: ["site-a"], password: Self.password)
            }
            await #expect(throws: CentralError.self) {
                _ = try await c.store.addStaffUser(name: "a b", displayName: "", role: .handler, sites: ["site-a"], password: Self.password)
            }
            await #expect(throws: CentralError.self) {
                _ = try await c.store.addStaffUser(name: "x", displayName: "", role: .handler, sites: [], password: Self.password)
            }
            await #expect(throws: CentralError.self) {
                _ = try await c.store.addStaffUser(name: "x", displayName: "", role: .handler, sites: ["site-a"], password: "short")
            }
            let admin = try await c.store.addStaffUser(name: "chen", displayName: "", role: .admin, sites: [], password: Self.password)
            #expect(admin.covers(site: "anywhere") && admin.siteScope == nil)
            #expect(try await c.store.staffUsers().map(\.name) == ["chen", "li.na"])
        }
    }

    @Test func aLoginOpensASessionThatEndsOnExpiryIdlenessResetAndDisable() async throws {
        try await withLiveCentral { c in
            _ = try await c.store.addStaffUser(name: "li.na", displayName: "", role: .handler, sites: ["site-a"], password: Self.password)
            let (token, session) = try await c.store.login(name: "li.na", password: Self.password, address: "10.0.0.1")
            let seen = try await c.store.deskSession(token: token)
            #expect(seen?.user.name == "li.na" && seen?.csrfToken == session.csrfToken && !session.csrfToken.isEmpty)
            #expect(try await c.store.deskSession(token: token + "x") == nil)

            // Idle for longer than the idle timeout: gone.
            try await c.store.client.query("UPDATE staff_sessions SET last_seen_at = now() - interval '3 hours'")
            #expect(try await c.store.deskSession(token: token) == nil)
            // Past its lifetime: gone.
            let (token2, _) = try await c.store.login(name: "li.na", password: Self.password, address: "10.0.0.1")
            try await c.store.client.query("UPDATE staff_sessions SET expires_at = now() - interval '1 second'")
            #expect(try await c.store.deskSession(token: token2) == nil)
            // A new password or disabling ends the sessions at once.
            let (token3, _) = try await c.store.login(name: "li.na", password: Self.password, address: "10.0.0.1")
            try await c.store.resetStaffPassword(name: "li.na", password: "another long password")
            #expect(try await c.store.deskSession(token: token3) == nil)
            let (token4, _) = try await c.store.login(name: "li.na", password: "another long password", address: "10.0.0.1")
            try await c.store.setStaffDisabled(name: "li.na", true)
            #expect(try await c.store.deskSession(token: token4) == nil)
            await #expect(throws: LoginRefusal.wrongCredentials) {
                _ = try await c.store.login(name: "li.na", password: "another long password", address: "10.0.0.1")
            }
            try await c.store.setStaffDisabled(name: "li.na", false)
            _ = try await c.store.login(name: "li.na", password: "another long password", address: "10.0.0.1")
            await #expect(throws: CentralError.self) { try await c.store.setStaffDisabled(name: "nobody", true) }
        }
    }

    @Test func fiveFailuresLockTheNameForTheWindowAndManyLockTheAddress() async throws {
        try await withLiveCentral { c in
            _ = try await c.store.addStaffUser(name: "wang.bo", displayName: "", role: .handler, sites: ["site-b"], password: Self.password)
            _ = try await c.store.addStaffUser(name: "li.na", displayName: "", role: .handler, sites: ["site-a"], password: Self.password)
            // Failures in parallel count as failures too (each is counted before the password is checked).
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<5 {
                    group.addTask { _ = try? await c.store.login(name: "wang.bo", password: "guess \(i) wrong", address: "10.0.0.\(i)") }
                }
            }
            do {
                _ = try await c.store.login(name: "wang.bo", password: Self.password, address: "10.0.0.9")
                Issue.record("the sixth attempt was let through")
            } catch LoginRefusal.rateLimited(let until, let byAddress) {
                #expect(!byAddress && until > Date().addingTimeInterval(14 * 60) && until <= Date().addingTimeInterval(15 * 60 + 5))
            }
            // Another name signs in; once the window has passed, so does this one.
            _ = try await c.store.login(name: "li.na", password: Self.password, address: "10.0.0.9")
            try await c.store.client.query("UPDATE login_attempts SET at = at - interval '16 minutes' WHERE name = 'wang.bo'")
            _ = try await c.store.login(name: "wang.bo", password: Self.password, address: "10.0.0.9")

            // One address guessing many names.
            var limits = DeskLimits()
            limits.failuresPerAddress = 3
            for i in 0..<3 {
                await #expect(throws: LoginRefusal.wrongCredentials) {
                    _ = try await c.store.login(name: "nobody\(i)", password: "x", address: "192.0.2.7", limits: limits)
                }
            }
            await #expect(throws: LoginRefusal.self) {
                _ = try await c.store.login(name: "li.na", password: Self.password, address: "192.0.2.7", limits: limits)
            }
        }
    }
}
