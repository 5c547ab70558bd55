import Foundation

/// A wake-up call between tasks of one process: `signal()` cuts a `wait(upTo:)` short, or makes
/// the next one return at once. The escalation task and the notifier sleep on these instead of
/// polling the database: they are woken by the work itself (a case stored or changed, a
/// notification queued) and otherwise only re-check slowly, so an idle centre costs nothing.
/// Other processes' work is seen at the slow re-check (or through the database's next due time).
public final class Wakeup: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    /// A wait is in progress: a signal listener that starts after it ended returns at once.
    private var waiting = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// The current wait was ended by a signal (not by its time or a cancellation).
    private var signalled = false

    public init() {}

    /// Wakes the task waiting now, or the next one to wait.
    public func signal() {
        lock.lock()
        if let w = waiter {
            waiter = nil
            signalled = true
            lock.unlock()
            w.resume()
        } else {
            pending = true
            lock.unlock()
        }
    }

    /// Returns after `seconds`, when signalled, or when the task is cancelled, whichever is
    /// first: true when signalled (now or before the wait). One waiter at a time (each wake-up
    /// has one task that sleeps on it).
    @discardableResult
    public func wait(upTo seconds: Double) async -> Bool {
        lock.withLock {
            waiting = true
            signalled = false
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(max(0, seconds) * 1000)))
                self.resumeWaiter()
            }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
            self.endWait()
            await group.waitForAll()
        }
        return lock.withLock { signalled }
    }

    private func waitForSignal() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if !waiting {
                lock.unlock()
                c.resume()
            } else if pending {
                pending = false
                signalled = true
                lock.unlock()
                c.resume()
            } else {
                waiter = c
                lock.unlock()
            }
        }
    }

    /// The wait is over: a listener parked now or later returns at once.
    private func endWait() {
        lock.lock()
        waiting = false
        let w = waiter
        waiter = nil
        lock.unlock()
        w?.resume()
    }

    /// Ends a wait without a signal (its time is up or it was cancelled).
    private func resumeWaiter() {
        lock.lock()
        let w = waiter
        waiter = nil
        lock.unlock()
        w?.resume()
    }
}

/// The wake-ups of one kiosk-central process, shared by every copy of its `CentralStore`.
public final class CaseWakeups: Sendable {
    /// A case was stored or changed here: its escalation time may already have come.
    public let escalator = Wakeup()
    /// An escalation queued a notification here.
    public let notifier = Wakeup()
    /// A case was closed here: its call-back number's retention time is counted from now.
    public let contacts = Wakeup()
    /// Events were stored here: their report days are to be folded again (`ReportSummariser`).
    public let reports = Wakeup()
    public init() {}

    /// Cases changed and the change is committed: every task that acts on cases looks again
    /// (escalation times, residents' messages queued by the change, retention from a closing).
    public func casesChanged() {
        escalator.signal()
        notifier.signal()
        contacts.signal()
    }
}
