import Foundation
import Testing

@testable import KioskSync

@Suite("Sync state machine")
struct SyncMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)
    let settings = SyncMachine.Settings(batchSize: 100, interval: 60, backoffBase: 1, backoffCap: 300)

    @Test func drainsInBoundedBatchesAndAdvancesOnlyOnAcknowledgement() {
        var m = SyncMachine(settings: settings, ackedSeq: 0, now: t0)
        #expect(m.start() == .readOutbox(after: 0, limit: 100))
        #expect(m.outboxRead(firstSeq: 1, lastSeq: 100, now: t0) == .upload(firstSeq: 1, lastSeq: 100))
        #expect(m.ackedSeq == 0, "sending is not acknowledging")
        #expect(m.uploadAcknowledged(ackedSeq: 100, now: t0, jitter: 0.5) == .readOutbox(after: 100, limit: 100))
        #expect(m.ackedSeq == 100)
        #expect(m.outboxRead(firstSeq: 101, lastSeq: 130, now: t0) == .upload(firstSeq: 101, lastSeq: 130))
        #expect(m.uploadAcknowledged(ackedSeq: 130, now: t0, jitter: 0.5) == .readOutbox(after: 130, limit: 100))
        // Caught up: wait for the interval.
        #expect(m.outboxRead(firstSeq: nil, lastSeq: nil, now: t0) == .wait(until: t0.addingTimeInterval(60)))
    }

    @Test func aFailedUploadIsRetriedFromTheSameSeqWithCappedFullJitterBackoff() {
        var m = SyncMachine(settings: settings, ackedSeq: 40, now: t0)
        _ = m.start()
        _ = m.outboxRead(firstSeq: 41, lastSeq: 140, now: t0)
        var delays: [TimeInterval] = []
        for _ in 1...12 {
            guard case .wait(let until) = m.uploadFailed(.transient("down"), now: t0, jitter: 0.999_999) else {
                Issue.record("expected a wait"); return
            }
            delays.append(until.timeIntervalSince(t0))
            // The wait ends: the same events are read again; nothing was acknowledged.
            #expect(m.timerFired(now: until) == .readOutbox(after: 40, limit: 100))
            _ = m.outboxRead(firstSeq: 41, lastSeq: 140, now: until)
        }
        #expect(m.ackedSeq == 40)
        #expect(abs(delays[0] - 1) < 0.01 && abs(delays[1] - 2) < 0.01 && abs(delays[2] - 4) < 0.01)
        #expect(delays.allSatisfy { $0 <= 300 }, "capped")
        #expect(abs(delays.last! - 300) < 0.01)
        // Full jitter: jitter 0 retries at once, and an acknowledgement resets the count.
        #expect(m.uploadFailed(.transient("down"), now: t0, jitter: 0) == .wait(until: t0))
        _ = m.timerFired(now: t0)
        _ = m.outboxRead(firstSeq: 41, lastSeq: 140, now: t0)
        _ = m.uploadAcknowledged(ackedSeq: 140, now: t0, jitter: 0)
        #expect(m.failures == 0)
    }

    @Test func syncNowSkipsTheWaitAndARequestDuringAnUploadDrainsAgain() {
        var m = SyncMachine(settings: settings, ackedSeq: 0, now: t0)
        _ = m.start()
        _ = m.outboxRead(firstSeq: nil, lastSeq: nil, now: t0)
        #expect(m.syncNow() == .readOutbox(after: 0, limit: 100))
        _ = m.outboxRead(firstSeq: 1, lastSeq: 1, now: t0)
        #expect(m.syncNow() == nil, "already busy: remembered")
        _ = m.uploadAcknowledged(ackedSeq: 1, now: t0, jitter: 0)
        #expect(m.outboxRead(firstSeq: nil, lastSeq: nil, now: t0) == .readOutbox(after: 1, limit: 100))
    }

    @Test func aRefusingCentreIsRetriedAtTheCapNotInATightLoop() {
        var m = SyncMachine(settings: settings, ackedSeq: 0, now: t0)
        _ = m.start()
        _ = m.outboxRead(firstSeq: 1, lastSeq: 5, now: t0)
        #expect(m.uploadFailed(.refused("revoked"), now: t0, jitter: 0) == .wait(until: t0.addingTimeInterval(300)))
        #expect(m.timerFired(now: t0.addingTimeInterval(10)) == .wait(until: t0.addingTimeInterval(300)))
    }

    @Test func aCentreThatHoldsLessThanWeThoughtGetsTheEventsAgain() {
        // We believed 1…50 were at the centre; it was restored from a backup and holds 1…10.
        var m = SyncMachine(settings: settings, ackedSeq: 50, now: t0)
        _ = m.start()
        _ = m.outboxRead(firstSeq: 51, lastSeq: 60, now: t0)
        #expect(m.uploadAcknowledged(ackedSeq: 10, now: t0, jitter: 0) == .readOutbox(after: 10, limit: 100))
        #expect(m.ackedSeq == 10)
        _ = m.outboxRead(firstSeq: 11, lastSeq: 60, now: t0)
        #expect(m.uploadAcknowledged(ackedSeq: 60, now: t0, jitter: 0) == .readOutbox(after: 60, limit: 100))
    }

    @Test func aCentreThatDoesNotAdvanceIsRetriedWithBackoffNotInALoop() {
        var m = SyncMachine(settings: settings, ackedSeq: 10, now: t0)
        _ = m.start()
        _ = m.outboxRead(firstSeq: 11, lastSeq: 20, now: t0)
        #expect(m.uploadAcknowledged(ackedSeq: 10, now: t0, jitter: 1) == .wait(until: t0.addingTimeInterval(1)))
        #expect(m.failures == 1)
    }

    @Test func theOperatorIsWarnedAsTheBacklogFillsItsBudget() {
        #expect(BacklogBudget.assess(backlogBytes: 10, budgetBytes: 100) == .ok)
        #expect(BacklogBudget.assess(backlogBytes: 85, budgetBytes: 100) == .filling(percent: 85))
        #expect(BacklogBudget.assess(backlogBytes: 250, budgetBytes: 100) == .exceeded(percent: 250))
    }

    @Test func clockOffsetUsesTheRoundTripMidpoint() {
        let sent = t0
        let received = t0.addingTimeInterval(2)
        // Server says t0+11s at the midpoint t0+1s: our clock is 10 s behind.
        #expect(SyncWorker.offsetMs(sentAt: sent, receivedAt: received, serverTime: "2026-11-24T09:00:11.000Z") == 10_000)
    }
}
