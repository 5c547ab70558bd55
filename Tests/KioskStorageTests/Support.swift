import Foundation
import KioskCore
import Testing

@testable import KioskStorage

/// A fresh folder under the system temp dir, removed by `remove()`.
struct TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiosk-storage-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var dbPath: String { url.appendingPathComponent("kiosk.sqlite").path }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// 2026-11-24T09:00:00Z.
let t0 = Date(timeIntervalSince1970: 1_795_510_800)
let day1 = "2026-11-24"
let day2 = "2026-11-25"

func event(
    _ type: EventType, _ seconds: Double, day: String = day1, ticket: String? = nil,
    _ configure: (inout KioskEvent) -> Void = { _ in }
) -> KioskEvent {
    var e = KioskEvent(type, at: t0.addingTimeInterval(seconds), day: day)
    e.ticket = ticket
    configure(&e)
    return e
}

/// A small day, as batches the way kioskd would append them: a staff login, a full visit with a
/// poor rating and a case, a no-show, a transfer, a call to a counter nobody logged into, and a
/// second day.
func sampleBatches() -> [[KioskEvent]] {
    [
        [
            event(.staffLoggedIn, 0) { $0.counter = 2; $0.staff = "li" },
            event(.counterOpened, 0) { $0.counter = 2 },
        ],
        [
            event(.ticketIssued, 60, ticket: "A001") {
                $0.service = "deposit"; $0.number = 1; $0.priority = false; $0.estimateLow = 5; $0.estimateHigh = 15
                $0.position = 1
            }
        ],
        [event(.ticketIssued, 100, ticket: "A002") { $0.service = "deposit"; $0.number = 2; $0.priority = true }],
        [event(.ticketIssued, 120, ticket: "A003") { $0.service = "deposit"; $0.number = 3 }],
        [event(.ticketCalled, 300, ticket: "A001") { $0.counter = 2 }],
        [event(.ticketRecalled, 360, ticket: "A001") { $0.counter = 2 }],
        [event(.serviceStarted, 400, ticket: "A001") { $0.counter = 2 }],
        [
            event(.serviceFinished, 900, ticket: "A001") { $0.counter = 2 },
            event(.ratingRecorded, 910, ticket: "A001") { $0.counter = 2; $0.rating = 4; $0.score = 1 },
        ],
        [
            event(.ratingReason, 920, ticket: "A001") { $0.counter = 2; $0.reason = "waited too long" },
            event(.caseOpened, 930, ticket: "A001") {
                $0.counter = 2; $0.caseRef = "C-1124-01"; $0.deadline = t0.addingTimeInterval(2 * 86400)
            },
            event(.farewellShown, 930, ticket: "A001") { $0.counter = 2; $0.message = "谢谢" },
        ],
        [event(.ticketCalled, 1000, ticket: "A002") { $0.counter = 2 }],
        [event(.ticketNoShow, 1200, ticket: "A002") { $0.counter = 2 }],
        [event(.ticketTransferred, 1300, ticket: "A003") { $0.service = "loans"; $0.fromService = "deposit" }],
        [event(.counterPaused, 1400) { $0.counter = 2 }],
        [event(.ticketIssued, 1500, ticket: "B001") { $0.service = "loans"; $0.number = 1 }],
        [event(.ticketCalled, 1600, ticket: "B001") { $0.counter = 3 }],
        [event(.dayClosed, 3600)],
        // Second day: the same label again is fine on another day.
        [event(.ticketIssued, 86400, day: day2, ticket: "A001") { $0.service = "deposit"; $0.number = 1 }],
        [
            event(.ticketCalled, 86500, day: day2, ticket: "A001") { $0.counter = 2 },
            event(.serviceStarted, 86510, day: day2, ticket: "A001") { $0.counter = 2 },
            event(.serviceFinished, 86800, day: day2, ticket: "A001") { $0.counter = 2 },
            event(.notRated, 86830, day: day2, ticket: "A001") { $0.counter = 2 },
        ],
        [event(.caseContacted, 86900, day: day2) { $0.caseRef = "C-1124-01" }],
        [event(.staffLoggedOut, 87000, day: day2) { $0.counter = 2 }],
    ]
}

/// Everything the projections answer, for comparing two stores.
struct ProjectionSnapshot: Equatable {
    var tickets: [String: [TicketRow]]
    var counters: [CounterRow]
    var cases: [CaseRow]
    var ratings: [String: [RatingRow]]
    var events: [RecordedEvent]

    init(_ store: EventStore, days: [String] = [day1, day2]) throws {
        tickets = [:]
        ratings = [:]
        for d in days {
            tickets[d] = try store.tickets(day: d)
            ratings[d] = try store.ratings(day: d)
        }
        counters = try store.counters()
        cases = try store.cases()
        events = try store.events()
    }
}

/// Expects `body` to throw a `StorageError` and returns it.
func expectStorageError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> StorageError? {
    do {
        try body()
        Issue.record("expected a StorageError, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let e as StorageError {
        return e
    } catch {
        Issue.record("expected a StorageError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
