import Foundation

/// The long-polls of this process waiting for commands, by kiosk. A waiter is registered before
/// the database is asked, so a command committed between the question and the wait still wakes
/// it (the signal is kept until the wait). Woken by `CentralSignal.command` for its kiosk, and
/// all at once when the listening connection is (re-)established and notifications may have
/// been missed.
public final class KioskWaiters: @unchecked Sendable {
    /// One registered long-poll: a `Wakeup` of its own (a signal before the wait is kept for it).
    public final class Waiter: Sendable {
        fileprivate let wakeup = Wakeup()
        fileprivate let kiosk: String
        fileprivate let id: Int

        fileprivate init(kiosk: String, id: Int) {
            self.kiosk = kiosk
            self.id = id
        }

        fileprivate func signal() { wakeup.signal() }

        /// Waits until signalled or `seconds` have passed: true when signalled.
        public func wait(upTo seconds: Double) async -> Bool { await wakeup.wait(upTo: seconds) }
    }

    private let lock = NSLock()
    private var byKiosk: [String: [Int: Waiter]] = [:]
    private var nextID = 0

    public init() {}

    /// How many long-polls wait now (for the log and tests).
    public var count: Int { lock.withLock { byKiosk.values.reduce(0) { $0 + $1.count } } }

    /// Registers a long-poll of `kiosk`; `unregister` it when the request ends.
    public func register(kiosk: String) -> Waiter {
        lock.withLock {
            nextID += 1
            let w = Waiter(kiosk: kiosk, id: nextID)
            byKiosk[kiosk, default: [:]][w.id] = w
            return w
        }
    }

    public func unregister(_ w: Waiter) {
        lock.withLock {
            byKiosk[w.kiosk]?[w.id] = nil
            if byKiosk[w.kiosk]?.isEmpty == true { byKiosk[w.kiosk] = nil }
        }
    }

    /// Wakes every long-poll of `kiosk`.
    public func signal(kiosk: String) {
        let ws = lock.withLock { byKiosk[kiosk].map { Array($0.values) } ?? [] }
        for w in ws { w.signal() }
    }

    /// Wakes every long-poll (notifications may have been missed: each looks again).
    public func signalAll() {
        let ws = lock.withLock { byKiosk.values.flatMap(\.values) }
        for w in ws { w.signal() }
    }
}
