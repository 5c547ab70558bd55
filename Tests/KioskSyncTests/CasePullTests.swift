import Foundation
import KioskCore
import KioskProtocol
import KioskStorage
import KioskSync
import KioskTestSupport
import Testing

/// Pulling the site's case states: the pure machine fed by hand, then the worker against a small
/// real HTTP centre with a `VirtualClock`, storing into a real SQLite file.
@Suite("Case states pulled from the centre")
struct CasePullTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    static func state(_ ref: String, version: Int, status: CaseStatus = .received) -> CaseState {
        let opened = Date(timeIntervalSince1970: 1_796_280_000)  // 2026-12-03T06:40:00Z
        var s = CaseState(ref: ref, day: "2026-12-03", severity: .serious, openedAt: opened, replyBy: opened.addingTimeInterval(48 * 3600))
        s.site = "tower-a"
        s.kiosk = "k1"
        s.resolveBy = opened.addingTimeInterval(6 * 3600)
        s.status = status
        s.version = version
        s.updatedAt = opened.addingTimeInterval(Double(version) * 60)
        return s
    }

    static func page(_ states: [CaseState], next: Int64, more: Bool = false) -> CasesReply {
        CasesReply(cases: states, next: next, more: more, serverTime: "2026-12-03T07:00:00.000Z")
    }

    // MARK: The machine

    @Test func aCaughtUpDrainPullsAndMoreAsksAgainAtOnce() {
        var pull = CasePull(cursor: 0)
        #expect(pull.outboxCaughtUp(now: t0) == [.fetch(after: 0, limit: 200)])
        #expect(pull.deadline == nil, "nothing to wait for while the pull is out")
        #expect(pull.outboxCaughtUp(now: t0).isEmpty, "one pull at a time")
        let first = Self.page([Self.state("R20261203-001", version: 1)], next: 200, more: true)
        #expect(pull.fetched(first, now: t0) == [.store(first)], "stored before anything else")
        #expect(pull.stored(first, now: t0) == [.fetch(after: 200, limit: 200)], "more: the next page at once")
        let last = Self.page([Self.state("R20261203-002", version: 4)], next: 260)
        #expect(pull.fetched(last, now: t0) == [.store(last)])
        #expect(pull.stored(last, now: t0).isEmpty, "the page asked after the request covers it")
        #expect(pull.cursor == 260)
        #expect(pull.outboxCaughtUp(now: t0.addingTimeInterval(60)) == [.fetch(after: 260, limit: 200)], "every sync cycle")
    }

    @Test func aRestartResumesFromTheStoredCursor() {
        var pull = CasePull(cursor: 1832, limit: 50)
        #expect(pull.syncRequested(now: t0) == [.fetch(after: 1832, limit: 50)])
        #expect(CasePull(cursor: -3, limit: 9000).cursor == 0)
        var big = CasePull(cursor: 0, limit: 9000)
        #expect(big.outboxCaughtUp(now: t0) == [.fetch(after: 0, limit: 500)], "the centre answers at most 500")
    }

    @Test func aFailureBacksOffIsLoggedOnceAndOnlyASyncCutsTheBackoffShort() {
        var pull = CasePull(cursor: 7, backoffCap: 60)
        _ = pull.outboxCaughtUp(now: t0)
        #expect(pull.failed("the centre failed (503)", transient: true, now: t0, jitter: 0.5) == [
            .log("sync: cannot pull the case states: the centre failed (503)"),
        ])
        #expect(pull.deadline == t0.addingTimeInterval(0.5))
        #expect(pull.outboxCaughtUp(now: t0.addingTimeInterval(0.4)).isEmpty, "a stored event does not cut the backoff short")
        #expect(pull.tick(now: t0.addingTimeInterval(0.4)).isEmpty)
        #expect(pull.tick(now: t0.addingTimeInterval(0.5)) == [.fetch(after: 7, limit: 200)])
        #expect(pull.failed("the centre failed (503)", transient: true, now: t0, jitter: 0.5).isEmpty, "logged once per series")
        #expect(pull.deadline == t0.addingTimeInterval(1), "half of 2 s")
        for _ in 1...10 {
            _ = pull.tick(now: t0.addingTimeInterval(10_000))
            _ = pull.failed("the centre failed (503)", transient: true, now: t0, jitter: 0.999_999)
        }
        #expect(pull.deadline! <= t0.addingTimeInterval(60), "never longer than the cap")
        #expect(pull.syncRequested(now: t0) == [.fetch(after: 7, limit: 200)], "IT's sync pulls now")
        _ = pull.failed("the centre refused (404)", transient: false, now: t0, jitter: 0)
        #expect(pull.deadline == t0.addingTimeInterval(60), "a refusal waits the cap")
        _ = pull.tick(now: t0.addingTimeInterval(60))
        let reply = Self.page([], next: 7)
        _ = pull.fetched(reply, now: t0)
        #expect(pull.stored(reply, now: t0) == [.log("sync: case states are pulled from the centre again")])
        #expect(pull.failures == 0 && pull.deadline == nil)
    }

    @Test func moreWithoutANewerCursorIsNotAskedAgainAtOnce() {
        var pull = CasePull(cursor: 40)
        _ = pull.outboxCaughtUp(now: t0)
        let stuck = Self.page([], next: 40, more: true)
        _ = pull.fetched(stuck, now: t0)
        let actions = pull.stored(stuck, now: t0)
        #expect(actions.count == 1)
        #expect(!actions.contains(.fetch(after: 40, limit: 200)), "no busy loop on a confused centre")
        #expect(pull.outboxCaughtUp(now: t0) == [.fetch(after: 40, limit: 200)], "but at the next sync")
    }

    // MARK: The worker

    /// A centre that stores uploads, has no commands (unless given) and answers `GET /v1/cases`
    /// with `cases(after)`; nil answers 503.
    static func centre(commands: [String] = [], cases: @escaping @Sendable (Int64) -> CasesReply?) throws -> RecordingCentre {
        try SyncDriverTests.storingCentre(commands: commands, cases: cases)
    }

    /// What the worker handed to the daemon's loop.
    final class Deliveries: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [SyncWorker.Delivery] = []
        func append(_ d: SyncWorker.Delivery) { lock.withLock { items.append(d) } }
        var all: [SyncWorker.Delivery] { lock.withLock { items } }
    }

    func worker(
        _ folder: CommandOutcomeTests.Folder, url: String, clock: SyncClock, commandWait: Int = 0, deliveries: Deliveries = Deliveries()
    ) -> SyncWorker {
        SyncWorker(
            storePath: folder.store,
            options: .init(centralURL: url, tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: commandWait),
            log: { _ in }, deliver: { deliveries.append($0) }, clock: clock)
    }

    func stored(_ folder: CommandOutcomeTests.Folder) throws -> (states: [CaseState], cursor: Int64, asOf: Date?) {
        let store = try EventStore(readOnlyPath: folder.store)
        defer { store.close() }
        return (try store.pulledCases(), try store.pulledCasesCursor(), try store.pulledCasesAsOf())
    }

    func pulls(_ centre: RecordingCentre) -> [String] {
        centre.requests.filter { $0.hasPrefix("GET /v1/cases") }
    }

    @Test func theWorkerPullsEveryPageStoresItAndTellsTheDaemonThenARestartResumes() throws {
        let folder = try CommandOutcomeTests.Folder()
        let a1 = Self.state("R20261203-001", version: 1), b2 = Self.state("R20261203-002", version: 2)
        let a3 = Self.state("R20261203-001", version: 3, status: .handling)
        let centre = try Self.centre { after in
            switch after {
            case 0: Self.page([a1, b2], next: 2, more: true)
            case 2: Self.page([a3], next: 3)
            default: Self.page([], next: after)
            }
        }
        let clock = VirtualClock(t0)
        let deliveries = Deliveries()
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: clock.clock(), deliveries: deliveries)
        w.runUntilIdle()
        w.stop()
        #expect(pulls(centre) == ["GET /v1/cases?after=0&limit=200", "GET /v1/cases?after=2&limit=200"])
        let (states, cursor, asOf) = try stored(folder)
        #expect(states == [a3, b2], "the newer version of each case")
        #expect(cursor == 3 && asOf == t0)
        #expect(deliveries.all == [.casesPulled([a1, b2], asOf: t0), .casesPulled([a3], asOf: t0)], "each page once it is stored")

        // kioskd starts again: it asks after the stored cursor, not from the beginning.
        clock.advance(by: 30)
        let again = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: clock.clock())
        again.runUntilIdle()
        again.stop()
        #expect(pulls(centre).last == "GET /v1/cases?after=3&limit=200")
        #expect(try stored(folder).asOf == t0.addingTimeInterval(30), "as of the last pull, even when nothing changed")
        #expect(try stored(folder).states == [a3, b2])
    }

    @Test func aFailedPullWaitsForItsBackoffThenSucceeds() throws {
        let folder = try CommandOutcomeTests.Folder()
        let attempts = LogLines()
        let a1 = Self.state("R20261203-001", version: 1)
        let centre = try Self.centre { after in
            attempts.append("\(after)")
            return attempts.all.count == 1 ? nil : Self.page([a1], next: 5)
        }
        let clock = VirtualClock(t0)
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: clock.clock())
        defer { w.stop() }
        w.runUntilIdle()  // caught up at once; the pull gets 503 and backs off half a second
        #expect(pulls(centre).count == 1)
        #expect(try stored(folder).cursor == 0 && stored(folder).asOf == nil, "nothing of a failed pull is stored")

        let store = try EventStore(path: folder.store)
        var e = KioskEvent(.ticketIssued, at: t0, day: "2026-11-24")
        e.ticket = "A001"
        e.service = "repairs"
        try store.append([e], kiosk: "k1")
        store.close()
        w.eventsStored()
        w.runUntilIdle()
        #expect(centre.requests.contains { $0.hasPrefix("POST /v1/events") }, "the event went up")
        #expect(pulls(centre).count == 1, "a caught-up drain does not cut the pull's backoff short")

        clock.advance(by: 0.5)
        w.runUntilIdle()
        #expect(pulls(centre) == ["GET /v1/cases?after=0&limit=200", "GET /v1/cases?after=0&limit=200"])
        #expect(try stored(folder).states == [a1] && stored(folder).cursor == 5)
    }

    @Test func kioskctlSyncWithoutKioskdPullsForTheNextStartAndReportsAFailedPullApart() throws {
        let folder = try CommandOutcomeTests.Folder()
        let a1 = Self.state("R20261203-001", version: 1)
        let centre = try Self.centre { after in after == 0 ? Self.page([a1], next: 4) : Self.page([], next: after) }
        let report = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: VirtualClock(t0).clock()).drain()
        #expect(report.error == nil && report.casesThrough == 4 && report.casesError == nil, "\(report)")
        #expect(try stored(folder).states == [a1])

        let older = try Self.centre { _ in nil }  // a centre that cannot answer case states yet
        let other = try CommandOutcomeTests.Folder()
        let failed = worker(other, url: "http://127.0.0.1:\(older.port)", clock: VirtualClock(t0).clock()).drain()
        #expect(failed.error == nil, "the events and the heartbeat went through")
        #expect(failed.casesThrough == nil)
        #expect(failed.casesError?.hasPrefix("the centre failed (503)") == true, "\(failed)")
    }

    @Test func itsSyncCommandPullsAtOnce() throws {
        let folder = try CommandOutcomeTests.Folder()
        let centre = try Self.centre(commands: [#"{"id":5,"type":"sync"}"#]) { after in Self.page([], next: after) }
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: VirtualClock(t0).clock(), commandWait: 1)
        defer { w.stop() }
        w.runUntilIdle()  // caught up: pulls once, then asks for commands
        #expect(pulls(centre).count == 1)
        w.runUntilIdle()  // the sync command: a drain, then a pull, with no time passing
        #expect(pulls(centre).count == 2)
        #expect(centre.requests.contains { $0.hasPrefix("POST /v1/commands/5/ack") })
    }
}
