#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// The estimates the screens show — the lobby's service table and choice, its apologies, the
/// waiting-room board — remembered for the state of the line they were made for. A lobby redraws
/// on every key and the board every second, each asking one estimate per service, and a
/// simulating estimator costs about a millisecond each; a key that does not change the line
/// (choosing a service, going back) must not pay that again.
///
/// Remembered answers are exactly the fresh ones: an answer is kept only for the machine state it
/// was computed on (the memo is replaced whenever an event is applied, so machine values that
/// differ never share one: a copy restored after a failed commit keeps its own) and for the
/// whole second it was asked at (screens are drawn at the second, as the machine takes its
/// inputs; the clock ticks once a second, so at most one set of estimates is computed per second
/// however many keys are pressed). Only the last second's answers are kept.
final class EstimateMemo: @unchecked Sendable {
    private let lock = Lock()
    private var second: Date?
    private var answers: [WaitQuestion: WaitEstimate] = [:]
    /// Answers computed (not remembered) so far: how tests see that a key cost nothing.
    private(set) var computed = 0

    func answer(_ question: WaitQuestion, at second: Date, compute: () -> WaitEstimate) -> WaitEstimate {
        lock.lock()
        defer { lock.unlock() }
        if self.second != second { self.second = second; answers = [:] }
        if let known = answers[question] { return known }
        let fresh = compute()
        answers[question] = fresh
        computed += 1
        return fresh
    }
}

extension KioskMachine {
    /// The estimate a screen shows for `question` at `now`: the configured estimator's answer for
    /// the current state at `now`'s whole second, remembered until an event changes the state or
    /// the second changes (`EstimateMemo`). Tickets are issued with a fresh `estimate`, never
    /// this.
    public func screenEstimate(_ question: WaitQuestion, now: Date) -> WaitEstimate {
        let second = now.wholeSeconds
        return estimateMemo.answer(question, at: second) { estimator.estimate(question, state: state, now: second) }
    }

    /// How many screen estimates were computed rather than remembered, since the last event.
    var screenEstimatesComputed: Int { estimateMemo.computed }
}
