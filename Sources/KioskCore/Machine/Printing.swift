#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Configuration {
    /// The printer for tickets taken at the lobby `[station]` named `station`: its own
    /// `printer =`, else the `[kiosk]` printer (also the console demo's lobby's); nil: none.
    public func ticketPrinter(station: String?) -> String? {
        if let station, let own = stations.first(where: { $0.name == station })?.printer { return own }
        return printer
    }

    /// The printer of counter `n`'s `[station]` (`printer =`), for its commitment slips; nil: none.
    public func slipPrinter(counter n: Int) -> String? {
        stations.first { $0.role == .counter(n) && $0.printer != nil }?.printer
    }
}

/// Printed tickets: the machine says which printer prints which ticket; the adapter prints and
/// reports back with a `.printed` input. A failure never blocks issuing (the ticket is stored and
/// shown already): it becomes a `printer.failed` event ("请记住您的号码" on the ticket screen, an
/// alert at every counter); once every printer that failed has printed again, `printer.ok`.
extension KioskMachine {
    mutating func printTicket(_ issued: KioskEvent, terminal: String, language: Language, into out: inout KioskOutput) {
        let station = terminal.isEmpty ? nil : terminal
        guard let printer = configuration.ticketPrinter(station: station) else { return }
        out.prints.append(PrintJob(printer: printer, station: station, ticket: issued, language: language))
    }

    /// Every case opened by this input gets its commitment slip (承诺兑现单) when the counter of
    /// its visit has a printer: the resident's copy and the office's, in one job. A case whose
    /// pad asks for a call-back number right away prints when the question ends, with the masked
    /// number (`contact`) on it.
    mutating func printSlips(into out: inout KioskOutput) {
        for e in out.events {
            let opened: KioskEvent
            switch e.type {
            case .caseOpened:
                if configuration.askContact && e.counter != nil { continue }
                opened = e
            case .caseContactGiven, .caseContactSkipped:
                guard configuration.askContact, let ref = e.caseRef,
                      let first = caseEvents[ref]?.first(where: { $0.type == .caseOpened }), first.counter != nil else { continue }
                opened = first
            default:
                continue
            }
            guard let label = opened.ticket, let n = opened.counter ?? state.tickets[label]?.counter,
                  let printer = configuration.slipPrinter(counter: n) else { continue }
            var job = opened
            job.counter = n
            job.staff = job.staff ?? state.counters[n]?.staff
            job.contact = opened.caseRef.flatMap { maskedContact(of: $0) }
            let station = configuration.stations.first { $0.role == .counter(n) }?.name
            out.prints.append(PrintJob(printer: printer, station: station, ticket: job, language: configuration.language, kind: .caseSlip))
        }
    }

    mutating func printed(_ job: PrintJob, problem: String?, now: Date, into out: inout KioskOutput) {
        let at = job.station.map { " (station \($0))" } ?? ""
        if job.kind == .caseSlip {
            // A slip that did not print blocks nothing (the case is stored, the pad shows the
            // reference): the counter shows why until one prints, so staff write it by hand.
            guard let n = job.ticket.counter else { return }
            if let problem {
                counterUI[n]?.slipProblem = problem
                out.log.append("commitment slip \(job.ticket.caseRef ?? "") not printed on \(job.printer)\(at): \(problem)")
            } else if counterUI[n]?.slipProblem != nil {
                counterUI[n]?.slipProblem = nil
                out.log.append("printer \(job.printer)\(at) prints slips again")
            }
            return
        }
        if let problem {
            failingPrinters.insert(job.printer)
            // One event per ticket that did not print, so reports and staff see every one.
            var e = KioskEvent(.printerFailed, at: now, day: state.day)
            e.ticket = job.ticket.ticket
            e.detail = problem
            e.station = job.station
            record(e, into: &out)
            return
        }
        if failingPrinters.remove(job.printer) != nil { out.log.append("printer \(job.printer)\(at) prints again") }
        if failingPrinters.isEmpty && state.printerProblem != nil {
            record(KioskEvent(.printerRecovered, at: now, day: state.day), into: &out)
        }
    }
}
