import Crypto
import Foundation

/// Authenticated tokens: a kiosk's every request would otherwise look its token up in
/// PostgreSQL. Keyed by the token's SHA-256 (the plain token is not kept). Revocation reaches
/// the process that revoked at once (`forget`) and every other process through its signal
/// (`CentralSignal.tokenRevoked`), so while signals are heard an entry lives `lifetime` (longer
/// than a kiosk's 25–30 s between requests); while they are not, only `unheardLifetime`, and
/// every change of state forgets everything.
public final class TokenCache: @unchecked Sendable {
    public static let lifetime: Duration = .seconds(600)
    public static let unheardLifetime: Duration = .seconds(10)
    /// Beyond this many entries the cache starts again (bounded memory whatever the fleet size).
    public static let capacity = 200_000

    private let lock = NSLock()
    private var entries: [String: (principal: Principal, at: ContinuousClock.Instant)] = [:]
    private var listening = false

    public init() {}

    public func setListening(_ on: Bool) {
        lock.withLock {
            listening = on
            entries.removeAll()
        }
    }

    /// The hex SHA-256 of a token, as PostgreSQL's `encode(sha256(convert_to(token, 'UTF8')), 'hex')`.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func principal(hash: String, now: ContinuousClock.Instant = .now) -> Principal? {
        lock.withLock {
            guard let e = entries[hash], now - e.at < (listening ? Self.lifetime : Self.unheardLifetime) else { return nil }
            return e.principal
        }
    }

    public func remember(hash: String, _ principal: Principal, now: ContinuousClock.Instant = .now) {
        lock.withLock {
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = (principal, now)
        }
    }

    public func forget(hash: String) { _ = lock.withLock { entries.removeValue(forKey: hash) } }
    public func forgetAll() { lock.withLock { entries.removeAll() } }
}

/// The newest number known per site (a site's latest configuration version, its latest case
/// change), so a kiosk asking "anything after N?" is answered without the database when nothing
/// is. Trusted only while this process hears the signals that invalidate it (`listening`), and
/// for at most `lifetime`. A value read before an invalidation is not remembered after it (the
/// generation check), so a change is never hidden.
public final class SiteMarks: @unchecked Sendable {
    public static let lifetime: Duration = .seconds(60)

    private let lock = NSLock()
    private var marks: [String: (value: Int64, at: ContinuousClock.Instant)] = [:]
    private var generations: [String: Int] = [:]
    private var listening = false

    public init() {}

    /// The site's newest number, when known and trusted.
    public func mark(_ site: String, now: ContinuousClock.Instant = .now) -> Int64? {
        lock.withLock {
            guard listening, let m = marks[site], now - m.at < Self.lifetime else { return nil }
            return m.value
        }
    }

    /// Take before reading the database; pass to `remember`.
    public func generation(_ site: String) -> Int { lock.withLock { generations[site, default: 0] } }

    public func remember(_ site: String, _ value: Int64, generation: Int, now: ContinuousClock.Instant = .now) {
        lock.withLock {
            guard listening, generations[site, default: 0] == generation else { return }
            if marks.count >= TokenCache.capacity { marks.removeAll(keepingCapacity: true) }
            marks[site] = (value, now)
        }
    }

    /// Something changed at the site.
    public func forget(_ site: String) {
        lock.withLock {
            generations[site, default: 0] += 1
            marks[site] = nil
        }
    }

    /// The signals are heard from now on (true), or no longer (false): forget everything either way.
    public func setListening(_ on: Bool) {
        lock.withLock {
            listening = on
            marks.removeAll()
            for key in generations.keys { generations[key]! += 1 }
        }
    }
}
