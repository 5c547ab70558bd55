#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskPrinting

/// Prints the tickets the machine asks for (`KioskOutput.prints`: each on the printer of the
/// lobby station whose keypad took it, `printer =` in its `[station]`, else the `[kiosk]`
/// printer), and the commitment slips of cases opened at a counter whose `[station]` has a
/// `printer =`. The ticket is already stored and on screen when this runs, so printer trouble never
/// blocks issuing: how each job went goes back to the kiosk as the next input (`.printed`), which
/// records a failure (`printer.failed`: "请记住您的号码" on the ticket screen, an alert at every
/// counter) and clears the alert once every printer that failed has printed again.
public final class TicketPrinting {
    unowned let service: KioskService
    let clock: () -> Date
    /// Replaceable for tests; the real device otherwise.
    var printer: (String) -> TicketPrinter = { TicketPrinter(path: $0) }

    public init(service: KioskService, clock: @escaping () -> Date = Date.init) {
        self.service = service
        self.clock = clock
    }

    /// Adds the printer to the service's adapters.
    public func attach() {
        service.addAdapter { [unowned self] output in output.prints.compactMap(print) }
    }

    /// The printer for a ticket taken on the keypad of `station` (nil: not from a `[station]`).
    public static func printerPath(station: String?, configuration: Configuration) -> String? {
        configuration.ticketPrinter(station: station)
    }

    /// Every printer in use, for `kioskctl status`: "none", a path, or "lobby-1 /dev/usb/lp0, …";
    /// then the counters' slip printers, if any ("; slips: desk-1 /dev/usb/lp1").
    public static func describePrinters(_ configuration: Configuration) -> String {
        let lobbies = configuration.stations.filter { $0.role == .lobby }
        let tickets = lobbies.contains(where: { $0.printer != nil })
            ? lobbies.map { "\($0.name) \($0.printer ?? configuration.printer ?? "none")" }.joined(separator: ", ")
            : configuration.printer ?? "none"
        let slips = configuration.stations.compactMap { station -> String? in
            guard case .counter = station.role, let printer = station.printer else { return nil }
            return "\(station.name) \(printer)"
        }
        return slips.isEmpty ? tickets : tickets + "; slips: " + slips.joined(separator: ", ")
    }

    /// Prints one job; returns how it went, as the input that tells the kiosk.
    func print(_ job: PrintJob) -> KioskInput? {
        if job.kind == .caseSlip { return printSlip(job) }
        guard let ticket = TicketPrinting.ticket(for: job.ticket, setup: service.setup, language: job.language) else { return nil }
        switch printer(job.printer).print(ticket.escPos) {
        case .success:
            return .printed(job, problem: nil, at: clock())
        case .failure(let f):
            let at = job.station.map { " (station \($0))" } ?? ""
            Log.error("ticket \(ticket.number) not printed on \(job.printer)\(at) (the resident was told to remember it): \(f)")
            return .printed(job, problem: f.problem.rawValue, at: clock())
        }
    }

    /// Prints a commitment slip; the case is stored and on the pad already, so a failure only
    /// goes back to the kiosk (the counter shows it; staff write the slip by hand).
    private func printSlip(_ job: PrintJob) -> KioskInput? {
        guard let slip = TicketPrinting.slip(for: job.ticket, setup: service.setup, language: job.language) else { return nil }
        switch printer(job.printer).print(slip.escPos) {
        case .success:
            return .printed(job, problem: nil, at: clock())
        case .failure(let f):
            let at = job.station.map { " (station \($0))" } ?? ""
            Log.error("commitment slip \(slip.reference) not printed on \(job.printer)\(at) (the counter was told to write it by hand): \(f)")
            return .printed(job, problem: f.problem.rawValue, at: clock())
        }
    }

    /// What a commitment slip says, from its `case.opened` event (counter and staff filled in by
    /// the machine); nil for an event without a reference.
    public static func slip(for e: KioskEvent, setup: KioskSetup, language: Language) -> CommitmentSlip? {
        guard let ref = e.caseRef else { return nil }
        let config = setup.configuration
        let c = setup.catalogs[language]
        let calendar = LocalCalendar(config)
        let service = e.service.flatMap { config.service($0)?.name(language) } ?? e.service ?? ""
        var lines = [c.text("slip.reason", ["reason": e.reason.map { c.text($0) } ?? c.text("lookup.reason.none")])]
        lines.append(c.text("slip.visit", ["service": service, "counter": e.counter.map(String.init) ?? "-", "ticket": e.ticket ?? ""]))
        lines.append(c.text("slip.opened", ["time": calendar.dateTime(e.time)]))
        if let reply = e.deadline { lines.append(c.text("slip.reply-by", ["deadline": calendar.dateTime(reply)])) }
        if let resolve = e.resolveBy { lines.append(c.text("slip.resolve-by", ["deadline": calendar.dateTime(resolve)])) }
        if let contact = e.contact { lines.append(c.text("slip.contact", ["contact": contact])) }
        lines.append(c.text("print.phone", ["phone": config.phone]))
        lines.append(c.text("slip.lookup"))
        var office: [String] = []
        if let staff = e.staff { office.append(c.text("slip.staff", ["staff": staff])) }
        office.append(c.text("slip.signature"))
        return CommitmentSlip(site: config.siteName, title: c.text("slip.title"), officeTitle: c.text("slip.office-title"), reference: ref,
                              referenceLine: c.text("slip.reference", ["ref": ref]), lines: lines, officeLines: office)
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
