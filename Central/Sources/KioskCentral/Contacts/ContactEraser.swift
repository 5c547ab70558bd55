import Foundation
import Logging

/// Erases residents' call-back numbers the retention time after their case is closed
/// (`--contact-retention`, default 90 days), in the manner of the escalation task: it sleeps
/// until the next number falls due, is woken when a case is closed in this process
/// (`CaseWakeups.contacts`), and otherwise re-checks only slowly. No request ever polls for it.
public struct ContactEraser: Sendable {
    public let store: CentralStore
    public var now: @Sendable () -> Date = { Date() }
    public static let recheckSeconds: Double = 300
    public static let retrySeconds: Double = 30

    public init(store: CentralStore) { self.store = store }

    var logger: Logger { store.logger }

    /// Runs until cancelled. A failing database is logged and tried again later.
    public func run() async {
        await DueWork.run("call-back number retention pass", logger: logger, wake: store.wakes.contacts, now: now,
                          recheckSeconds: Self.recheckSeconds, retrySeconds: Self.retrySeconds) {
            let n = try await store.eraseExpiredContacts(at: now())
            if n > 0 { logger.info("erased call-back numbers past their retention", metadata: ["count": "\(n)"]) }
            return try await store.nextContactErasure()
        }
    }

    /// "90d", "12h", "30m", "45s" (or plain seconds) → seconds; nil when malformed.
    public static func parseRetention(_ text: String) -> TimeInterval? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Double] = ["d": 86400, "h": 3600, "m": 60, "s": 1]
        if let unit = t.last, let factor = units[unit], let n = Double(t.dropLast()), n > 0 { return n * factor }
        if let n = Double(t), n > 0 { return n }
        return nil
    }
}
