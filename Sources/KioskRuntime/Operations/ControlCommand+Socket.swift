#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCore

/// The `kioskctl` commands that act on the running daemon through its control socket.
extension ControlCommand {
    static let socketCommands = ["counter", "sync", "reload", "weather"]

    /// The control socket of the daemon kioskctl means (`ControlSocketLocation.clientPath`):
    /// `--runtime-dir`, `$KIOSK_RUNTIME_DIR`, a `kioskd --demo` on `--state-dir`, or /run/kiosk.
    static func socketPath(runtimeDirectory: String?, stateDirectory: String) -> String {
        ControlSocketLocation.clientPath(runtimeDirectory: runtimeDirectory, stateDirectory: stateDirectory)
    }

    /// Sends `command options…` to the daemon; prints its answer, throws its refusal.
    static func talkToDaemon(_ command: String, _ options: [String], socketPath: String, output: (String) -> Void) throws {
        let request: ControlRequest
        switch ControlRequest.parse(([command] + options).joined(separator: " ")) {
        case .success(let r): request = r
        case .failure(let e): throw Failure(description: e.description, code: 64)
        }
        let response: ControlResponse
        do { response = try ControlClient.send(request, socketPath: socketPath) } catch {
            throw Failure(description: "cannot reach kioskd: \(error)\n(is kioskd running? pass --state-dir DIR for a kioskd --demo on DIR, or --runtime-dir DIR if kioskd runs with --runtime-dir)", code: 69)
        }
        guard response.ok else { throw Failure(description: response.text.trimmingNewlines(), code: 1) }
        output(response.text)
    }

    /// One line about the daemon for `status`: its answer to `ping`, or that it is not reachable.
    static func daemonLine(socketPath: String) -> String {
        if let r = try? ControlClient.send(.ping, socketPath: socketPath, timeoutSeconds: 2), r.ok {
            return "Daemon: running\n" + r.text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        return "Daemon: not reachable at \(socketPath) (showing the stored state)\n"
    }
}

// MARK: - Reports with charts

import KioskReports
import KioskStorage

extension ControlCommand {
    /// Every case in `events`, each folded from its own events (`CaseState.fold`).
    static func caseStates(_ events: [KioskEvent]) -> [CaseState] {
        Dictionary(grouping: events.filter { $0.type.isCaseEvent && $0.caseRef != nil }, by: { $0.caseRef ?? "" })
            .values.compactMap { CaseState.fold($0) }
    }

    /// `report [--date DAY | --from DAY --to DAY] [--json | --csv | --html OUT.html]`: the latest
    /// business day by default, as text unless a format is asked for.
    static func report(_ store: EventStore, _ setup: KioskSetup, _ options: [String], output: (String) -> Void) throws {
        var from: String?, to: String?, html: String?, csv = false, json = false
        func day(_ flag: String, _ value: String) throws -> String {
            guard value.count == 10, value.enumerated().allSatisfy({ i, c in i == 4 || i == 7 ? c == "-" : c.isASCII && c.isNumber }) else {
                throw Failure(description: "\(flag) needs a day as YYYY-MM-DD", code: 64)
            }
            return value
        }
        try walkOptions(options, usage: "report: use --date DAY or --from DAY --to DAY, and --json, --csv or --html OUT.html") { option, value in
            switch option {
            case "--from": from = try day(option, value())
            case "--to": to = try day(option, value())
            case "--date": let d = try day(option, value()); from = d; to = d
            case "--csv": csv = true
            case "--json": json = true
            case "--html": html = try value()
            default: return false
            }
            return true
        }
        let latest = try store.latestDay() ?? LocalCalendar(setup.configuration).businessDay(of: Date())
        let first = from ?? to ?? latest
        let last = to ?? (from == nil ? latest : max(first, latest))
        guard first <= last else { throw Failure(description: "--from \(first) is after --to \(last)", code: 64) }
        let events = try store.events(from: first, through: last).map(\.event)
        let now = Date()
        // The centre's state of each case as last pulled (the authority: it holds the desk's acts);
        // a case it has not sent back yet is folded from this kiosk's own events since the period
        // began (a case opened in the period may be answered at a counter days later).
        let pulled = try store.pulledCases()
        let pulledRefs = Set(pulled.map(\.ref))
        let cases = pulled + caseStates(try store.events(from: first, through: "9999-12-31").map(\.event))
            .filter { !pulledRefs.contains($0.ref) }
        // The same computation kiosk-central runs for its site and fleet pages.
        let period = ReportPeriod(sources: [ReportSource(events: events, configuration: setup.configuration, cases: cases)], now: now)
        let report = period.report
        if json { output(ReportFormatter.json(report) + "\n") }
        if csv { output(ReportCSV.csv(report, daily: period.daily)) }
        if let html {
            let page = period.html(labels: setup.catalogs[setup.configuration.language].entries)
            do { try page.write(toFile: html, atomically: true, encoding: .utf8) } catch {
                throw Failure(description: "cannot write \(html): \(errorText(error))", code: 73)
            }
            if !json && !csv { output("wrote \(html) (\(first) to \(last), \(events.count) events)\n") }
        }
        if !json && !csv && html == nil {
            let period = first == last ? first : "\(first) to \(last)"
            output("Report for \(period) (kiosk \(setup.configuration.kioskID))\n\n"
                + ReportFormatter.text(report, catalog: setup.catalogs[setup.configuration.language]) + "\n")
        }
    }
}
