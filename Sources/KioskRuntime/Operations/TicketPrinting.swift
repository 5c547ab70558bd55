import Foundation
import KioskCore
import KioskPrinting

/// Prints every issued ticket on the receipt printer of the lobby station whose keypad took it
/// (`printer =` in its `[station]`; the `[kiosk]` printer is the default for lobby stations
/// without one and for the console demo's lobby). The ticket is already stored and on screen when
/// this runs, so printer trouble never blocks issuing: it goes back into the kiosk as an input (a
/// `printer.failed` event, "请记住您的号码" on the ticket screen, an alert at every counter) and
/// into the log. Once every printer that failed has printed again the alert is cleared.
public final class TicketPrinting {
    unowned let service: KioskService
    let clock: () -> Date
    /// Replaceable for tests; the real device otherwise.
    var printer: (String) -> TicketPrinter = { TicketPrinter(path: $0) }
    /// Printers whose last print failed (one lobby's broken printer is not cured by another's).
    var failing: Set<String> = []

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

    /// The printer for a ticket taken on the keypad of `station` (nil: not from a `[station]`).
    public static func printerPath(station: String?, configuration: Configuration) -> String? {
        if let station, let own = configuration.stations.first(where: { $0.name == station })?.printer { return own }
        return configuration.printer
    }

    /// Every printer in use, for `kioskctl status`: "none", a path, or "lobby-1 /dev/usb/lp0, …".
    public static func describePrinters(_ configuration: Configuration) -> String {
        let lobbies = configuration.stations.filter { $0.role == .lobby }
        guard lobbies.contains(where: { $0.printer != nil }) else { return configuration.printer ?? "none" }
        return lobbies.map { "\($0.name) \($0.printer ?? configuration.printer ?? "none")" }.joined(separator: ", ")
    }

    func printIssued(_ events: [KioskEvent]) {
        let station = service.inputStation
        guard let path = TicketPrinting.printerPath(station: station, configuration: service.setup.configuration) else { return }
        let at = station.map { " (station \($0))" } ?? ""
        for e in events where e.type == .ticketIssued {
            guard let ticket = TicketPrinting.ticket(for: e, setup: service.setup, language: service.machine.lobbyTerminal(station ?? "").language) else { continue }
            switch printer(path).print(ticket.escPos) {
            case .success:
                if failing.remove(path) != nil { Log.notice("printer \(path)\(at) prints again") }
                if failing.isEmpty && service.machine.state.printerProblem != nil {
                    service.handle(.printerRecovered(at: clock()))
                }
            case .failure(let f):
                failing.insert(path)
                Log.error("ticket \(ticket.number) not printed on \(path)\(at) (the resident was told to remember it): \(f)")
                service.handle(.printerFailed(ticket: ticket.number, problem: f.problem.rawValue, station: station, at: clock()))
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
