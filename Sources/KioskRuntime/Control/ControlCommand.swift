#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskStorage

/// `kioskctl`: the operator's command line over the state folder. Read-only commands open the
/// database read-only, so they work whether or not the daemon runs.
public enum ControlCommand {
    public static let usage = """
    Usage: kioskctl [--state-dir DIR] [--config PATH] COMMAND

    Commands:
      status                       counters, staff, queue length per service
      queue                        tickets waiting now, oldest first
      events [--since SEQ] [--json]  stored events (JSON lines with --json)
      report [--date YYYY-MM-DD] [--json]  the day's figures (default: the latest business day)
      report [--from DAY] [--to DAY] --html OUT.html | --csv | --json
                                   a period: a page with charts (no JavaScript), CSV for spreadsheets
      cases [--json]               the site's follow-up cases as last pulled from the centre ("as of")
      hash-pin [PIN]               print a pin-hash line for kiosk.conf (reads the PIN from stdin if omitted)
      screenshot STATION OUT.png [--size WxH] [--time ISO8601]
                                   what a station ([station NAME], lobby, counter N or board) shows, as a
                                   PNG: the running kioskd's screen now; without a daemon (or with --time)
                                   drawn from the stored events, and it says so

    Commands for the database (kiosk.sqlite in the state folder):
      check                        full check: integrity, references, the event log's rules (seq
                                   without gaps, no ticket number twice a day), the mark; 65 if damaged
      backup [FILE]                a consistent copy (default: backups/kiosk-manual-<time>.sqlite)
      restore FILE [--accept-loss] put a backup in place (kioskd stopped); the current file is kept
                                   as kiosk.sqlite.damaged-<time>; --accept-loss when the backup
                                   lacks events this kiosk stored (their seqs and the day's ticket
                                   numbers they may have used are skipped, never given again)
      restore [FILE] --from-central [--skip-numbers N]
                                   rebuild the log from the centre's copy (after FILE's events when
                                   given); says what the centre never received; N: numbers skipped
                                   when even the record of the last event is gone (default 50)

    Commands for the running daemon (through its control socket):
      counter open|pause|close N   open, pause or close counter N
      weather clear|rain|hot|cold  set the weather the farewells use
      reload                       reload the configuration (as SIGHUP; a broken one is rejected)
      sync                         sync with the centre now and report (drains itself when kioskd is not running)

    Options:
      --state-dir DIR   the daemon's state folder (default /var/lib/kiosk)
      --config PATH     configuration for service names and targets (default /etc/kiosk/kiosk.conf if present)
      --assets DIR      site assets folder (see kioskd --help)
      --runtime-dir DIR the daemon's runtime folder with control.sock (default: the --state-dir
                        of a kioskd --demo running there, else /run/kiosk)
    """

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public var code: Int32
    }

    /// Runs a command, writing to `output`; returns the exit code. Errors go to `error`.
    public static func main(_ arguments: [String], output: (String) -> Void = writeStdout, error: (String) -> Void = { Log.error($0) }) -> Int32 {
        do {
            try run(arguments, output: output)
            return 0
        } catch let f as Failure {
            error("kioskctl: \(f.description)")
            return f.code
        } catch let e {
            error("kioskctl: \(e)")
            return 1
        }
    }

    static func run(_ arguments: [String], output: (String) -> Void) throws {
        var stateDirectory = "/var/lib/kiosk"
        var configPath: String?
        var assets: String?
        var runtimeDirectory: String?
        var rest: [String] = []
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw Failure(description: "\(arguments[i - 1]) needs a value; see kioskctl --help", code: 64) }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--state-dir": stateDirectory = try value()
            case "--config": configPath = try value()
            case "--assets": assets = try value()
            case "--runtime-dir": runtimeDirectory = try value()
            case "--help", "-h", "help": output(usage + "\n"); return
            default: rest.append(arguments[i])
            }
            i += 1
        }
        guard let command = rest.first else { throw Failure(description: "no command given\n" + usage, code: 64) }
        let options = Array(rest.dropFirst())

        if command == "hash-pin" { return try hashPIN(options, output: output) }
        if storageCommands.contains(command) {
            return try storageCommand(command, options, stateDirectory: stateDirectory, configPath: configPath, assets: assets, output: output)
        }
        let socket = socketPath(runtimeDirectory: runtimeDirectory, stateDirectory: stateDirectory)
        if socketCommands.contains(command) && command != "sync" { return try talkToDaemon(command, options, socketPath: socket, output: output) }

        let setup: KioskSetup
        switch KioskSetup.load(configPath: configPath, assets: assets, stateDirectory: stateDirectory) {
        case .success(let s): setup = s
        case .failure(let e): throw Failure(description: "configuration errors:\n" + e.description, code: 78)
        }
        if command == "sync" {
            return try CentralSync.syncCommand(setup: setup, stateDirectory: stateDirectory, socketPath: socket, output: output)
        }
        let path = stateDirectory + "/kiosk.sqlite"
        let store = try openForReading(path, stateDirectory: stateDirectory)
        defer { store.close() }
        switch command {
        case "status":
            try status(store, setup, output: output)
            output(CentralSync.statusText(store, setup))
            output("\n" + daemonLine(socketPath: socket))
        case "queue": try queue(store, setup, output: output)
        case "events": try events(store, options, output: output)
        case "report": try report(store, setup, options, output: output)
        case "screenshot": try StationScreenshot.run(options, store: store, setup: setup, socketPath: socket, output: output)
        case "cases": try cases(store, setup, options, output: output)
        default:
            let known = ["status", "queue", "events", "report", "cases", "hash-pin", "screenshot"] + storageCommands + socketCommands
            let hint = known.first { $0.hasPrefix(String(command.prefix(2))) }.map { " (did you mean '\($0)'?)" } ?? ""
            throw Failure(description: "unknown command '\(command)'\(hint); see kioskctl --help", code: 64)
        }
    }

    static func hashPIN(_ options: [String], output: (String) -> Void) throws {
        var pin = options.first
        if pin == nil { pin = readLine(strippingNewline: true) }
        guard let pin, !pin.isEmpty, pin.allSatisfy(\.isNumber), pin.count >= 4, pin.count <= 12 else {
            throw Failure(description: "a PIN is 4 to 12 digits; usage: kioskctl hash-pin 1234 (or echo 1234 | kioskctl hash-pin)", code: 64)
        }
        do { output("pin-hash = \(try PINHash.makeCurrent(pin: pin))\n") } catch {
            throw Failure(description: "cannot hash the PIN: \(error)", code: 70)
        }
    }

    static func day(of store: EventStore, _ setup: KioskSetup) throws -> String {
        try store.latestDay() ?? LocalCalendar(setup.configuration).businessDay(of: Date())
    }

    static func status(_ store: EventStore, _ setup: KioskSetup, output: (String) -> Void) throws {
        let config = setup.configuration
        let day = try day(of: store, setup)
        let tickets = try store.tickets(day: day)
        var text = "kiosk \(config.kioskID) · business day \(day) · last event #\(try store.lastSequence())\n\nCounters:\n"
        let rows = Dictionary(try store.counters().map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        for c in config.counters {
            let row = rows[c.number]
            let staff = row?.staff.map { "\($0) \(config.staffMember($0)?.name ?? "")" } ?? "-"
            text += "  \(c.number)  \(pad(row?.status ?? "closed", 7)) staff \(pad(staff, 14)) current \(row?.currentTicket ?? "-")  serves \(c.services.joined(separator: ","))\n"
        }
        text += "\nQueue:\n"
        for s in config.services {
            let waiting = tickets.filter { $0.service == s.id && $0.status == "waiting" }
            let served = tickets.filter { $0.service == s.id && $0.status == "finished" }.count
            text += "  \(s.key) \(pad(s.id, 11)) waiting \(pad(String(waiting.count), 3)) (priority \(waiting.filter(\.priority).count))  served \(served)\n"
        }
        let open = try store.cases(status: "open")
        text += "\nOpen cases: \(open.count)\n"
        let lost = try store.declaredLosses()
        if !lost.isEmpty {
            text += "Lost with the storage (a restore lacked them; events.lost): "
                + lost.map { "#\($0.lowerBound)…#\($0.upperBound)" }.joined(separator: ", ") + "\n"
        }
        output(text)
    }

    static func queue(_ store: EventStore, _ setup: KioskSetup, output: (String) -> Void) throws {
        let day = try day(of: store, setup)
        let waiting = try store.tickets(day: day).filter { $0.status == "waiting" || $0.status == "called" }
            .sorted { $0.issuedAt < $1.issuedAt }
        let calendar = LocalCalendar(setup.configuration)
        var text = "ticket  service      priority  status   issued  estimate  waited\n"
        let now = Date()
        for t in waiting {
            let waited = Int(now.timeIntervalSince(t.issuedAt) / 60)
            let estimate = t.estimateLow.map { "\($0)-\(t.estimateHigh ?? $0 + 5)m" } ?? "-"
            text += "\(pad(t.label, 7)) \(pad(t.service, 12)) \(pad(t.priority ? "yes" : "no", 9)) \(pad(t.status, 8)) \(pad(String(calendar.clock(t.issuedAt).prefix(5)), 7)) \(pad(estimate, 9)) \(waited)m\n"
        }
        if waiting.isEmpty { text += "(nobody waiting on \(day))\n" }
        output(text)
    }

    static func events(_ store: EventStore, _ options: [String], output: (String) -> Void) throws {
        var since: Int64 = 0
        var json = false
        try walkOptions(options, usage: "events: use --since SEQ and --json") { option, value in
            switch option {
            case "--json": json = true
            case "--since":
                guard let v = Int64(try value()), v >= 0 else { throw Failure(description: "--since needs a sequence number (0 or more)", code: 64) }
                since = v
            default: return false
            }
            return true
        }
        let encoder = KioskEvent.makeEncoder()
        var batch = ""
        for r in try store.events(since: since) {
            if json {
                var line = String(data: try encoder.encode(r.event), encoding: .utf8)!
                line.removeFirst()
                batch += "{\"kiosk\":\(String(data: try encoder.encode(r.kiosk), encoding: .utf8)!),\"seq\":\(r.seq),\(line)\n"
            } else {
                let e = r.event
                let fields = [e.ticket, e.service, e.counter.map { "counter \($0)" }, e.staff.map { "staff \($0)" },
                              e.rating.map { "rating \($0)" }, e.reason, e.caseRef, e.message, e.weather?.rawValue,
                              e.detail, e.station.map { "station \($0)" }].compactMap { $0 }
                batch += "\(r.seq)\t\(Date.ISO8601FormatStyle().format(e.time))\t\(e.type.rawValue)\t\(fields.joined(separator: " "))\n"
            }
            if batch.utf8.count > 64 * 1024 { output(batch); batch = "" }
        }
        output(batch)
    }

    /// Walks a subcommand's options: `handle` gets each option and `value()` to take its argument,
    /// and returns false for an option it does not know (then `usage` is the error).
    static func walkOptions(_ options: [String], usage: String, _ handle: (String, () throws -> String) throws -> Bool) throws {
        var i = 0
        while i < options.count {
            let option = options[i]
            let known = try handle(option) {
                i += 1
                guard i < options.count else { throw Failure(description: "\(option) needs a value; \(usage)", code: 64) }
                return options[i]
            }
            guard known else { throw Failure(description: "unknown option '\(option)'; \(usage)", code: 64) }
            i += 1
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
