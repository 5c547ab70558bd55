import Foundation
import KioskCore
import KioskProtocol
import KioskStorage
import KioskSync
import KioskTestSupport
import Testing

/// A kiosk started on a new disk without `kioskctl restore --from-central` must not give the
/// day's ticket numbers again: the sync worker asks the centre whether it holds more of this
/// kiosk than the local log, and the daemon is told to stop giving tickets when it does.
@Suite("Lineage check")
struct LineageCheckTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    // MARK: The machine

    @Test func aLogNeverAcknowledgedIsCheckedOnceAtStartAndAReplacedOneIsSaidOnce() {
        var check = LineageCheck(everAcknowledged: false, now: t0, retryInterval: 60)
        #expect(check.tick(now: t0) == [.ask])
        #expect(check.tick(now: t0 + 1) == [], "one question at a time")
        let actions = check.answered(kiosk: "k1", localLast: 2, centreAcked: 40, centreHighest: 40)
        guard case .replaced(let reason)? = actions.first else {
            Issue.record("no replacement said: \(actions)")
            return
        }
        #expect(reason.contains("up to #40, but this kiosk's log ends at #2"))
        #expect(reason.contains("kioskctl restore --from-central"))
        #expect(check.deadline == nil && check.tick(now: t0 + 3600) == [])
        #expect(check.conflictReported(now: t0 + 3600) == [], "said once")
    }

    @Test func aCentreHoldingNoMoreThanTheLogEndsTheCheck() {
        var check = LineageCheck(everAcknowledged: false, now: t0, retryInterval: 60)
        _ = check.tick(now: t0)
        #expect(check.answered(kiosk: "k1", localLast: 9, centreAcked: 7, centreHighest: 9) == [])
        #expect(check.deadline == nil && check.replacement == nil)
        #expect(check.tick(now: t0 + 3600) == [])
    }

    @Test func aHigherSeqAfterAGapCountsToo() {
        var check = LineageCheck(everAcknowledged: false, now: t0, retryInterval: 60)
        _ = check.tick(now: t0)
        #expect(check.answered(kiosk: "k1", localLast: 9, centreAcked: 7, centreHighest: 12).count == 1)
    }

    @Test func anAcknowledgedLogIsAskedOnlyAfterAConflict() {
        var check = LineageCheck(everAcknowledged: true, now: t0, retryInterval: 60)
        #expect(check.deadline == nil && check.tick(now: t0 + 3600) == [])
        #expect(check.conflictReported(now: t0 + 3600) == [.ask])
    }

    @Test func anUnreachableCentreIsAskedAgainAfterTheInterval() {
        var check = LineageCheck(everAcknowledged: false, now: t0, retryInterval: 60)
        _ = check.tick(now: t0)
        #expect(check.failed(now: t0 + 1) == [])
        #expect(check.tick(now: t0 + 30) == [])
        #expect(check.deadline == t0 + 61)
        #expect(check.tick(now: t0 + 61) == [.ask])
    }

    // MARK: The worker against a centre

    /// A centre that holds kiosk k1's events up to #`held` and refuses any upload as a seq conflict.
    func centreHolding(_ held: Int64) throws -> RecordingCentre {
        try RecordingCentre(answer: { method, path, _ in
            switch (method, path) {
            case ("GET", _) where path.hasPrefix("/v1/events?"):
                return (200, #"{"kiosk":"k1","site":"tower-a","ackedSeq":\#(held),"highestSeq":\#(held),"events":[]}"#)
            case ("POST", "/v1/events"):
                return (409, #"{"error":"seq-conflict","message":"kiosk k1 already sent seq 1 with different content","hint":"check"}"#)
            case ("POST", "/v1/heartbeat"):
                return (200, #"{"serverTime":"2026-11-24T07:30:00.000Z","kiosk":"k1","site":"tower-a"}"#)
            default:
                return (503, "{}")
            }
        })
    }

    func store(_ n: Int, in folder: CommandOutcomeTests.Folder, ackedThrough acked: Int64? = nil) throws {
        let store = try EventStore(path: folder.store)
        defer { store.close() }
        let events = (1...n).map { i in
            var e = KioskEvent(.ticketIssued, at: t0.addingTimeInterval(Double(i)), day: "2026-11-24")
            e.ticket = "A\(i)"
            e.service = "repairs"
            e.number = i
            return e
        }
        try store.append(events, kiosk: "k1")
        if let acked { try store.recordSyncSuccess(ackedSeq: acked, serverTime: "2026-11-24T07:30:00.000Z", deviceTime: "2026-11-24T07:30:00.000Z", clockOffsetMs: 0) }
    }

    func worker(_ folder: CommandOutcomeTests.Folder, _ centre: RecordingCentre, delivered: LogLines) -> SyncWorker {
        SyncWorker(
            storePath: folder.store,
            options: .init(centralURL: "http://127.0.0.1:\(centre.port)", tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: 0),
            log: { _ in },
            deliver: { if case .logReplaced(let reason) = $0 { delivered.append(reason) } },
            clock: VirtualClock(t0).clock())
    }

    @Test func aNewLogOnANewDiskIsToldToTheDaemonBeforeAnyTicket() throws {
        let folder = try CommandOutcomeTests.Folder()
        let centre = try centreHolding(40)
        let delivered = LogLines()
        let w = worker(folder, centre, delivered: delivered)
        defer { w.stop() }
        w.runUntilIdle()  // nothing stored yet: kioskd has just started on the empty folder
        #expect(delivered.all.count == 1)
        #expect(delivered.all.first?.contains("up to #40, but this kiosk's log ends at #0") == true, "\(delivered.all)")
        #expect(centre.requests.contains { $0.hasPrefix("GET /v1/events?after=0&limit=1") })
    }

    @Test func aConflictOnAnAcknowledgedLogAsksAndTellsTheDaemon() throws {
        let folder = try CommandOutcomeTests.Folder()
        try store(3, in: folder, ackedThrough: 1)
        let centre = try centreHolding(40)
        let delivered = LogLines()
        let w = worker(folder, centre, delivered: delivered)
        defer { w.stop() }
        w.runUntilIdle()
        #expect(centre.requests.first?.hasPrefix("POST /v1/events") == true, "an acknowledged log is not asked about at start")
        #expect(delivered.all.count == 1, "the seq conflict made the worker ask")
        #expect(delivered.all.first?.contains("this kiosk's log ends at #3") == true, "\(delivered.all)")
    }

    @Test func kioskctlSyncSaysTheLogWasReplaced() throws {
        let folder = try CommandOutcomeTests.Folder()
        try store(2, in: folder, ackedThrough: 1)
        let centre = try centreHolding(40)
        let report = worker(folder, centre, delivered: LogLines()).drain()
        #expect(report.error?.contains("its state folder was replaced") == true, "\(report)")
    }

    @Test func aConflictWithAShorterCentreTellsTheDaemonNothing() throws {
        let folder = try CommandOutcomeTests.Folder()
        try store(3, in: folder, ackedThrough: 1)
        let centre = try centreHolding(2)
        let delivered = LogLines()
        let w = worker(folder, centre, delivered: delivered)
        defer { w.stop() }
        w.runUntilIdle()
        #expect(delivered.all.isEmpty, "the conflict stays a refused upload for IT to look at")
    }
}
