import CSQLite
import Foundation
import KioskCore
import Testing

@testable import KioskStorage

@Suite("EventStore")
struct EventStoreTests {
    @Test func freshDatabaseUsesWALAndFullSyncAndCurrentSchema() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        // The state folder itself is created when missing.
        let path = dir.url.appendingPathComponent("state/nested/kiosk.sqlite").path
        let store = try EventStore(path: path)
        defer { store.close() }
        #expect(store.path == path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.journalMode() == "wal")
        #expect(try store.synchronousLevel() == 2)
        #expect(try store.foreignKeysEnabled())
        #expect(try store.schemaVersion() == EventStore.currentSchemaVersion)
        #expect(EventStore.currentSchemaVersion == migrations.last?.version)
        #expect(migrations.map(\.version) == Array(1...EventStore.currentSchemaVersion))
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.lastSequence() == 0)
        #expect(try store.latestDay() == nil)
        #expect(try store.events().isEmpty)
        #expect(EventStore.defaultPath(stateDirectory: "/var/lib/kiosk") == "/var/lib/kiosk/kiosk.sqlite")
    }

    @Test func appendedEventsReadBackExactlyWithContiguousSeqs() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        let batches = sampleBatches()
        var recorded: [RecordedEvent] = []
        for b in batches {
            let r = try store.append(b, kiosk: "kiosk-7")
            #expect(r.map(\.event) == b)
            recorded += r
        }
        let all = batches.flatMap { $0 }
        #expect(recorded.map(\.seq) == Array(1...Int64(all.count)))
        #expect(recorded.allSatisfy { $0.kiosk == "kiosk-7" })
        #expect(try store.events() == recorded)
        #expect(try store.events().map(\.event) == all)
        #expect(try store.lastSequence() == Int64(all.count))
        #expect(try store.append([], kiosk: "kiosk-7").isEmpty)

        // Ranges and days.
        #expect(try store.events(since: 5) == Array(recorded.dropFirst(5)))
        #expect(try store.events(since: 5, limit: 3) == Array(recorded[5..<8]))
        #expect(try store.events(since: Int64(all.count)).isEmpty)
        let firstDay = recorded.filter { $0.event.day == day1 }
        #expect(!firstDay.isEmpty)
        #expect(try store.events(day: day1) == firstDay)
        #expect(try store.events(day: day2) == recorded.filter { $0.event.day == day2 })
        #expect(try store.events(day: "2026-11-23").isEmpty)
        #expect(try store.events(from: day1, through: day2) == recorded)
        #expect(try store.events(from: day2, through: "2026-12-31") == recorded.filter { $0.event.day == day2 })
        for type in Set(recorded.map(\.event.type)) {  // one at a time, of one type (kioskd's quiet hours)
            var read: [RecordedEvent] = []
            try store.forEachEvent(from: day1, through: day2, type: type) { read.append($0) }
            #expect(read == recorded.filter { $0.event.type == type })
        }
        #expect(try store.latestDay() == day2)

        // The same after reopening the file.
        store.close()
        let reopened = try EventStore(path: dir.dbPath)
        defer { reopened.close() }
        #expect(try reopened.events() == recorded)
        #expect(try reopened.append([event(.weatherSet, 90000, day: day2) { $0.weather = nil }], kiosk: "kiosk-7")
            .map(\.seq) == [Int64(all.count + 1)])
    }

    @Test func projectionsFollowAVisit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        var ratingSeq: Int64 = 0
        for b in sampleBatches() {
            for r in try store.append(b, kiosk: "k") where r.event.type == .ratingRecorded { ratingSeq = r.seq }
        }
        func at(_ s: Double) -> Date { t0.addingTimeInterval(s) }

        let tickets = try store.tickets(day: day1)
        #expect(tickets.map(\.label) == ["A001", "A002", "A003", "B001"])
        #expect(
            tickets[0]
                == TicketRow(
                    day: day1, label: "A001", service: "deposit", number: 1, priority: false, status: "finished",
                    issuedAt: at(60), calledAt: at(300), lastCalledAt: at(360), recalls: 1, counter: 2,
                    startedAt: at(400), finishedAt: at(900), estimateLow: 5, estimateHigh: 15, rating: 4, score: 1,
                    rated: true, reason: "waited too long"))
        #expect(
            tickets[1]
                == TicketRow(
                    day: day1, label: "A002", service: "deposit", number: 2, priority: true, status: "no-show",
                    issuedAt: at(100), calledAt: at(1000), lastCalledAt: at(1000), recalls: 0, counter: 2,
                    startedAt: nil, finishedAt: nil, estimateLow: nil, estimateHigh: nil, rating: nil, score: nil,
                    rated: nil, reason: nil))
        // Transferred: new service, waiting again, issue time kept.
        #expect(tickets[2].service == "loans")
        #expect(tickets[2].status == "waiting")
        #expect(tickets[2].issuedAt == at(120))
        #expect(tickets[2].counter == nil)
        #expect(tickets[3].status == "called")
        #expect(tickets[3].counter == 3)

        let second = try store.tickets(day: day2)
        #expect(second.count == 1)
        #expect(second.first?.status == "finished")
        #expect(second.first?.rated == false)
        #expect(second.first?.rating == nil)

        // Counter 2: logged in, paused, then logged out on day 2; counter 3 only ever had a
        // ticket called to it, and day.closed cleared it.
        #expect(
            try store.counters() == [
                CounterRow(number: 2, status: "closed", staff: nil, currentTicket: nil, changedAt: at(87000)),
                CounterRow(number: 3, status: "closed", staff: nil, currentTicket: nil, changedAt: nil),
            ])

        #expect(
            try store.cases() == [
                CaseRow(
                    ref: "C-1124-01", day: day1, ticket: "A001", service: "deposit", openedAt: at(930),
                    deadline: at(2 * 86400), status: "answered", reason: "waited too long", answeredAt: at(86900))
            ])
        #expect(try store.cases(status: "open").isEmpty)
        #expect(try store.cases(status: "answered").count == 1)

        #expect(
            try store.ratings(day: day1) == [
                RatingRow(
                    seq: ratingSeq, day: day1, ticket: "A001", service: "deposit", counter: 2, staff: "li", rating: 4,
                    score: 1, reason: "waited too long", recordedAt: at(910))
            ])
        #expect(try store.ratings(day: day2).isEmpty)
    }

    @Test func countersShowStaffAndCurrentTicketDuringTheDay() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        try store.append(
            [
                event(.staffLoggedIn, 0) { $0.counter = 1; $0.staff = "wang" },
                event(.counterOpened, 0) { $0.counter = 1 },
                event(.ticketIssued, 10, ticket: "A001") { $0.service = "deposit"; $0.number = 1 },
                event(.ticketCalled, 20, ticket: "A001") { $0.counter = 1 },
                event(.serviceStarted, 30, ticket: "A001") { $0.counter = 1 },
            ], kiosk: "k")
        #expect(
            try store.counters() == [
                CounterRow(number: 1, status: "open", staff: "wang", currentTicket: "A001", changedAt: t0)
            ])
        #expect(try store.tickets(day: day1).first?.status == "serving")
        try store.append([event(.serviceFinished, 40, ticket: "A001") { $0.counter = 1 }], kiosk: "k")
        #expect(try store.counters().first?.currentTicket == nil)
        #expect(try store.counters().first?.staff == "wang")
    }

    @Test func aBatchWhoseProjectionFailsStoresNothingAndTheStoreStaysUsable() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        try store.append(
            [event(.ticketIssued, 0, ticket: "A001") { $0.service = "deposit"; $0.number = 1 }], kiosk: "k")
        let before = try ProjectionSnapshot(store)

        // B001 is new, but the same batch issues A001 again on the same day.
        let error = expectStorageError {
            try store.append(
                [
                    event(.ticketIssued, 10, ticket: "B001") { $0.service = "loans"; $0.number = 1 },
                    event(.ticketCalled, 20, ticket: "B001") { $0.counter = 1 },
                    event(.ticketIssued, 30, ticket: "A001") { $0.service = "deposit"; $0.number = 1 },
                ], kiosk: "k")
        }
        #expect(error?.kind == .constraint)
        #expect(error?.description.contains(dir.dbPath) == true)
        #expect(error?.description.contains("UNIQUE") == true)
        #expect(try ProjectionSnapshot(store) == before)
        #expect(try store.lastSequence() == 1)

        // A duplicate case ref fails the same way.
        try store.append([event(.caseOpened, 40, ticket: "A001") { $0.caseRef = "C1" }], kiosk: "k")
        let afterCase = try ProjectionSnapshot(store)
        #expect(
            expectStorageError {
                try store.append(
                    [event(.ticketCalled, 45, ticket: "A001") { $0.counter = 1 },
                     event(.caseOpened, 50, ticket: "A001") { $0.caseRef = "C1" }], kiosk: "k")
            }?.kind == .constraint)
        #expect(try ProjectionSnapshot(store) == afterCase)

        // Still usable, and the seqs carry on without a gap.
        let next = try store.append(
            [event(.ticketIssued, 60, ticket: "B001") { $0.service = "loans"; $0.number = 1 }], kiosk: "k")
        #expect(next.map(\.seq) == [3])
        #expect(try store.events().map(\.seq) == [1, 2, 3])
        #expect(try store.tickets(day: day1).map(\.label) == ["A001", "B001"])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func eventsMissingTheFieldsARuleNeedsAreStoredButChangeNoProjection() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        try store.append(
            [
                event(.ticketIssued, 0, ticket: "A001"),  // no service
                event(.ticketCalled, 10, ticket: "Z999") { $0.counter = 1 },  // unknown ticket
                event(.staffLoggedIn, 20) { $0.staff = "li" },  // no counter
                event(.careAlertRaised, 30, ticket: "A001"),
            ], kiosk: "k")
        #expect(try store.events().count == 4)
        #expect(try store.tickets(day: day1).isEmpty)
        #expect(try store.counters().map(\.number) == [1])
    }

    @Test func readOnlyOpenOfAMissingFileNamesThePath() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let missing = dir.path("nowhere/kiosk.sqlite")
        let error = expectStorageError { _ = try EventStore(readOnlyPath: missing) }
        #expect(error?.kind == .missingFile)
        #expect(error?.description.contains(missing) == true)
        #expect(error?.description.contains("--state-dir") == true)
        // And nothing was created.
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!FileManager.default.fileExists(atPath: dir.path("nowhere")))

        let folder = expectStorageError { _ = try EventStore(readOnlyPath: dir.url.path) }
        #expect(folder?.kind == .notAKioskDatabase)
    }

    @Test func readOnlyOpenReadsButCannotWrite() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let writer = try EventStore(path: dir.dbPath)
        defer { writer.close() }
        let recorded = try writer.append(sampleBatches()[1], kiosk: "k")

        let reader = try EventStore(readOnlyPath: dir.dbPath)
        defer { reader.close() }
        #expect(try reader.events() == recorded)
        #expect(try reader.tickets(day: day1).map(\.label) == ["A001"])
        #expect(try reader.integrityCheck() == "ok")
        let error = expectStorageError { try reader.append(sampleBatches()[2], kiosk: "k") }
        #expect(error?.kind == .readOnly)
        #expect(try reader.lastSequence() == 1)
        // Even bypassing that check, SQLite itself refuses.
        #expect(
            expectStorageError { try reader.conn.exec("DELETE FROM events", doing: "deleting") }?.kind
                == .permission)
        // The writer still works while the reader is open (WAL).
        try writer.append(sampleBatches()[2], kiosk: "k")
        #expect(try reader.lastSequence() == 2)
    }

    @Test func readOnlyOpenOfAnEmptyFileSaysToStartKioskd() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.dbPath, contents: Data())
        let error = expectStorageError { _ = try EventStore(readOnlyPath: dir.dbPath) }
        #expect(error?.kind == .notAKioskDatabase)
        #expect(error?.description.contains("start kioskd") == true)
    }

    @Test func aFileThatIsNotSQLiteIsRefusedClearly() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.dbPath, contents: Data(repeating: 0x41, count: 4096))
        let error = expectStorageError { _ = try EventStore(path: dir.dbPath) }
        #expect(error?.kind == .notAKioskDatabase)
        #expect(error?.description.contains(dir.dbPath) == true)
        // Left untouched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.dbPath)) == Data(repeating: 0x41, count: 4096))
    }

    @Test func aWriteLockHeldElsewhereGivesTheAnotherKioskdHint() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        let other = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE)
        defer { other.close() }
        try other.exec("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE", doing: "locking")
        try store.conn.setBusyTimeout(milliseconds: 50)  // the real 5 s would slow the suite down
        let error = expectStorageError { try store.append(sampleBatches()[0], kiosk: "k") }
        #expect(error?.kind == .locked)
        #expect(error?.description.contains("is another kioskd running with this --state-dir?") == true)
        #expect(error?.description.contains(dir.dbPath) == true)
        try other.exec("ROLLBACK", doing: "unlocking")
        try store.append(sampleBatches()[0], kiosk: "k")
        #expect(try store.lastSequence() == 2)
    }

    @Test func usingAClosedStoreThrows() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        store.close()
        #expect(expectStorageError { _ = try store.lastSequence() }?.kind == .closed)
    }
}
