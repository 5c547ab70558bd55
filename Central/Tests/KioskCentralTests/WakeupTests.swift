import Foundation
import KioskCentral
import Testing

/// The escalation task and the notifier sleep on `Wakeup`s: a signal must cut a long wait short,
/// a signal before the wait must not be lost, and without a signal the wait ends at its time.
@Suite("Wake-ups between the centre's tasks")
struct WakeupTests {
    @Test func aSignalCutsALongWaitShort() async {
        let wake = Wakeup()
        let started = ContinuousClock.now
        async let waited = wake.wait(upTo: 600)
        // The waiter may not be parked yet: a signal either resumes it or is kept for it.
        wake.signal()
        #expect(await waited, "the wait says it was signalled")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aSignalBeforeTheWaitIsKeptForIt() async {
        let wake = Wakeup()
        wake.signal()
        let started = ContinuousClock.now
        #expect(await wake.wait(upTo: 600))
        #expect(ContinuousClock.now - started < .seconds(60))
        // Only once: the next wait runs to its (short) time, and says so.
        let again = ContinuousClock.now
        #expect(await wake.wait(upTo: 0.05) == false)
        #expect(ContinuousClock.now - again >= .milliseconds(50))
    }

    @Test func cancellingTheWaitingTaskEndsTheWait() async {
        let wake = Wakeup()
        let task = Task { _ = await wake.wait(upTo: 600) }
        task.cancel()
        let started = ContinuousClock.now
        await task.value
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}
