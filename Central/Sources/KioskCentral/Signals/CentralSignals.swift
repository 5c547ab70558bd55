import Foundation
import Logging

/// Everything in this process that a signal acts on: the waiting long-polls, the caches, the
/// case tasks' wake-ups. One per process, shared by every copy of `CentralStore`; fed by the
/// `SignalListener`'s dedicated connection. Nothing here is needed for correctness: a missed
/// signal only delays (the long-polls' re-check, the caches' lifetimes, the case tasks' slow
/// re-check).
public final class CentralSignals: @unchecked Sendable {
    public let commandWaiters = KioskWaiters()
    public let tokens = TokenCache()
    public let configVersions = SiteMarks()
    public let caseChanges = SiteMarks()
    public let cases: CaseWakeups

    private let lock = NSLock()
    private var isListening = false
    private var shuttingDown = false
    private var listeningWaiters: [CheckedContinuation<Void, Never>] = []

    public init(cases: CaseWakeups) { self.cases = cases }

    /// True while the listening connection is up: a waiting long-poll may then sleep until its
    /// deadline; otherwise it re-checks every `fallbackRecheckSeconds`.
    public var listening: Bool { lock.withLock { isListening } }

    /// How often a waiting long-poll looks at the database while the listening connection is down.
    public static let fallbackRecheckSeconds = 2.0

    public func handle(_ signal: CentralSignal) {
        switch signal {
        case .command(let kiosk): commandWaiters.signal(kiosk: kiosk)
        case .tokenRevoked(let hash): tokens.forget(hash: hash)
        case .config(let site): configVersions.forget(site)
        case .cases(let site):
            caseChanges.forget(site)
            cases.casesChanged()
        }
    }

    /// Returns once the signal connection listens (at once if it does).
    public func untilListening() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if isListening {
                lock.unlock()
                c.resume()
            } else {
                listeningWaiters.append(c)
                lock.unlock()
            }
        }
    }

    /// The process is stopping (SIGTERM): every waiting long-poll answers now.
    public var isShuttingDown: Bool { lock.withLock { shuttingDown } }

    public func shutDown() {
        lock.withLock { shuttingDown = true }
        commandWaiters.signalAll()
    }

    /// LISTEN is in effect: whatever was missed before is looked at again.
    public func connected() {
        let waiting = lock.withLock {
            isListening = true
            defer { listeningWaiters = [] }
            return listeningWaiters
        }
        for c in waiting { c.resume() }
        tokens.setListening(true)
        configVersions.setListening(true)
        caseChanges.setListening(true)
        commandWaiters.signalAll()
        cases.casesChanged()
    }

    /// The listening connection is gone: stop trusting what only signals keep true.
    public func disconnected() {
        lock.withLock { isListening = false }
        tokens.setListening(false)
        configVersions.setListening(false)
        caseChanges.setListening(false)
        commandWaiters.signalAll()
    }
}
