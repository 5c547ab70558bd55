import Foundation
@testable import KioskCore

/// Hand-built events on fixed dates (Asia/Shanghai, the default configuration's time zone).
enum Fx {
    static let day = "2026-11-24"
    static let tz = TimeZone(identifier: "Asia/Shanghai")!
    static let config = Configuration()

    /// Local wall-clock time on a calendar date ("2026-11-24" by default).
    static func at(_ h: Int, _ m: Int, _ s: Int = 0, date: String = day) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let p = date.split(separator: "-").map { Int($0)! }
        return cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: h, minute: m, second: s))!
    }

    static func event(_ type: EventType, _ time: Date, day: String = day, ticket: String? = nil,
                      _ configure: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
        var e = KioskEvent(type, at: time, day: day)
        e.ticket = ticket
        configure(&e)
        return e
    }

    static func issue(_ label: String, _ service: String, _ time: Date, day: String = day, priority: Bool = false,
                      high: Int? = nil) -> KioskEvent {
        event(.ticketIssued, time, day: day, ticket: label) {
            $0.service = service
            $0.priority = priority
            $0.number = Int(label.drop { $0.isLetter })
            $0.estimateLow = high.map { max($0 - 5, 0) }
            $0.estimateHigh = high
        }
    }

    static func call(_ label: String, _ time: Date, counter: Int = 1, day: String = day) -> KioskEvent {
        event(.ticketCalled, time, day: day, ticket: label) { $0.counter = counter }
    }

    static func noShow(_ label: String, _ time: Date, counter: Int = 1) -> KioskEvent {
        event(.ticketNoShow, time, ticket: label) { $0.counter = counter }
    }

    static func transfer(_ label: String, from: String, to: String, _ time: Date, counter: Int = 1) -> KioskEvent {
        event(.ticketTransferred, time, ticket: label) { $0.fromService = from; $0.service = to; $0.counter = counter }
    }

    static func start(_ label: String, _ time: Date, counter: Int = 1) -> KioskEvent {
        event(.serviceStarted, time, ticket: label) { $0.counter = counter }
    }

    static func finish(_ label: String, _ time: Date, staff: String = "1001", counter: Int = 1) -> KioskEvent {
        event(.serviceFinished, time, ticket: label) { $0.counter = counter; $0.staff = staff }
    }

    static func rate(_ label: String, _ level: Int, _ time: Date, staff: String = "1001", counter: Int = 1) -> KioskEvent {
        event(.ratingRecorded, time, ticket: label) {
            $0.counter = counter; $0.staff = staff; $0.rating = level
            $0.score = [1: 100, 2: 67, 3: 33, 4: 0][level]
        }
    }

    static func reason(_ label: String, _ key: String, _ time: Date, counter: Int = 1) -> KioskEvent {
        event(.ratingReason, time, ticket: label) { $0.counter = counter; $0.reason = key }
    }

    static func notRated(_ label: String, _ time: Date, counter: Int = 1) -> KioskEvent {
        event(.notRated, time, ticket: label) { $0.counter = counter }
    }

    /// A full visit: issue, call, start, finish (no rating).
    static func visit(_ label: String, _ service: String, issued: Date, waitSeconds: Double, serviceSeconds: Double,
                      staff: String = "1001", counter: Int = 1) -> [KioskEvent] {
        let called = issued.addingTimeInterval(waitSeconds)
        let started = called.addingTimeInterval(30)
        return [issue(label, service, issued), call(label, called, counter: counter),
                start(label, started, counter: counter),
                finish(label, started.addingTimeInterval(serviceSeconds), staff: staff, counter: counter)]
    }

    static func build(_ events: [KioskEvent], now: Date = at(18, 0)) -> Report {
        ReportBuilder.build(events: events, configuration: config, now: now)
    }
}

extension Report {
    func service(_ id: String) -> ServiceReport { services.first { $0.id == id }! }
}
