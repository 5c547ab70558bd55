import Foundation
import KioskTestSupport
import Testing
@testable import KioskCore

/// The shipped catalogs, read from `Kiosk/messages` in the source tree.
func shippedCatalogs() -> Catalogs { ScreenFixtures.catalogs }

/// 2026-11-24 09:00 in Shanghai.
let morning = ScreenFixtures.start

/// Drives a machine with keys and a manual clock, collecting every event, as the daemon would.
struct Harness {
    var machine: KioskMachine
    var now: Date
    var events: [KioskEvent] = []
    var announcements: [Announcement] = []

    init(_ configure: (inout Configuration) -> Void = { _ in }, at start: Date = morning) {
        var config = Configuration()
        configure(&config)
        let catalogs = shippedCatalogs()
        machine = KioskMachine(configuration: config, catalog: catalogs[.chinese], day: LocalCalendar(config).businessDay(of: start))
        now = start
    }

    @discardableResult
    mutating func send(_ input: KioskInput) -> KioskOutput {
        let out = machine.handle(input)
        events += out.events
        announcements += out.announcements
        return out
    }

    /// Presses keys: digits and `* + - / .`, `E` for Enter, `B` for Backspace.
    @discardableResult
    mutating func press(_ keys: String, _ station: StationID, terminal: String = "") -> [KioskEvent] {
        var produced: [KioskEvent] = []
        for ch in keys {
            let key: Key = ch == "E" ? .enter : ch == "B" ? .backspace : Key(name: String(ch))!
            produced += send(.key(key, station: station, at: now, terminal: terminal)).events
        }
        return produced
    }

    mutating func advance(_ seconds: Double) {
        now = now.addingTimeInterval(seconds)
        send(.tick(now))
    }

    mutating func login(_ counter: Int, staff: String = "1001", pin: String = "1234") {
        press("0\(staff)E\(pin)E", .counter(counter))
    }

    @discardableResult
    mutating func takeTicket(_ serviceKey: Int, priority: Bool = false) -> String {
        let produced = press((priority ? "*" : "") + "\(serviceKey)E", .lobby)
        return produced.first { $0.type == .ticketIssued }!.ticket!
    }

    func types(_ list: [KioskEvent]? = nil) -> [EventType] { (list ?? events).map(\.type) }
    func last(_ type: EventType) -> KioskEvent? { events.last { $0.type == type } }
}
