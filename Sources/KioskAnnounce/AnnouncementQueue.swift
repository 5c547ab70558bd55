#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One call-out to speak.
public struct CallOut: Equatable, Sendable {
    public var ticket: String
    public var counter: Int
    public init(ticket: String, counter: Int) { self.ticket = ticket; self.counter = counter }
}

/// Decides when call-outs run, pure (the clock comes in): one at a time, in call order, so two
/// calls never talk over each other; one that runs past the time limit is killed and the next
/// starts. The player carries the actions out.
public struct AnnouncementQueue: Sendable {
    public enum Action: Equatable, Sendable {
        case none
        case start(CallOut)
        /// Stop the running call-out: it is past its time limit.
        case kill(CallOut)
    }

    public let timeLimit: TimeInterval
    /// Waiting call-outs beyond this are dropped (oldest first): a call from minutes ago is useless.
    public let capacity: Int
    public private(set) var waiting: [CallOut] = []
    public private(set) var running: (callOut: CallOut, since: Date, killed: Bool)?
    public private(set) var dropped = 0

    public init(timeLimit: TimeInterval, capacity: Int = 8) {
        self.timeLimit = timeLimit
        self.capacity = capacity
    }

    public var isIdle: Bool { running == nil && waiting.isEmpty }

    /// A counter called (or recalled) a ticket.
    public mutating func enqueue(_ c: CallOut, now: Date) -> Action {
        guard running == nil else {
            waiting.append(c)
            if waiting.count > capacity { waiting.removeFirst(); dropped += 1 }
            return .none
        }
        running = (c, now, false)
        return .start(c)
    }

    /// The running call-out ended (on its own, killed, or failed to start).
    public mutating func finished(now: Date) -> Action {
        running = nil
        guard !waiting.isEmpty else { return .none }
        let next = waiting.removeFirst()
        running = (next, now, false)
        return .start(next)
    }

    /// Checked from the loop's timer.
    public mutating func tick(now: Date) -> Action {
        guard let r = running, !r.killed, now.timeIntervalSince(r.since) >= timeLimit else { return .none }
        running?.killed = true
        return .kill(r.callOut)
    }
}
