import Foundation
import KioskCore
import KioskPrinting

/// Prints every issued ticket on the lobby's receipt printer (`printer =` in `[kiosk]`). The
/// ticket is already stored and on screen when this runs, so printer trouble never blocks issuing:
/// it goes back into the kiosk as an input (a `printer.failed` event, "请记住您的号码" on the
/// ticket screen, an alert at every counter) and into the log. The first good print clears it.
public final class TicketPrinting {
    unowned let service: KioskService
    let clock: () -> Date
    /// Replaceable for tests; the real device otherwise.
    var printer: (String) -> TicketPrinter = { TicketPrinter(path: $0) }

    public init(service: KioskService, clock: @escaping () -> Date = Date.init) {
        self.service = service
        self.clock = clock
    }

    /// Hooks onto the service's stored events (keeping any earlier hook).
    public func attach() {
        let previous = service.onEvents
        service.onEvents = { [unowned self] events in
            previous(events)
            printIssued(events)
        }
    }

    func printIssued(_ events: [KioskEvent]) {
        guard let path = service.setup.configuration.printer else { return }
        for e in events where e.type == .ticketIssued {
            guard let ticket = TicketPrinting.ticket(for: e, setup: service.setup, language: service.machine.lobbyLanguage) else { continue }
            switch printer(path).print(ticket.escPos) {
            case .success:
                if service.machine.state.printerProblem != nil {
                    Log.notice("printer \(path) prints again")
                    service.handle(.printerRecovered(at: clock()))
                }
            case .failure(let f):
                Log.error("ticket \(ticket.number) not printed (the resident was told to remember it): \(f)")
                service.handle(.printerFailed(ticket: ticket.number, problem: f.problem.rawValue, at: clock()))
            }
        }
    }

    /// What the printed ticket says, in the lobby's language; nil for an event without a ticket.
    public static func ticket(for e: KioskEvent, setup: KioskSetup, language: Language) -> PrintedTicket? {
        guard let label = e.ticket, let serviceID = e.service else { return nil }
        let config = setup.configuration
        let c = setup.catalogs[language]
        let calendar = LocalCalendar(config)
        let service = config.service(serviceID)?.name(language) ?? serviceID
        let ahead = max(0, (e.position ?? 1) - 1)
        return PrintedTicket(
            site: config.siteName,
            number: label,
            service: service + ((e.priority ?? false) ? " " + c.text("ticket.priority") : ""),
            time: calendar.dateTime(e.time),
            position: c.text("ticket.position", ["ahead": String(ahead)]),
            estimate: c.text("ticket.estimate", ["low": String(e.estimateLow ?? 0), "high": String(e.estimateHigh ?? 0)]),
            phone: c.text("print.phone", ["phone": config.phone]),
            reference: "\(config.kioskID)/\(e.day)/\(label)")
    }
}
