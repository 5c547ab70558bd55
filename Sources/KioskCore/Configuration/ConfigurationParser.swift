#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Reads `kiosk.conf` (the format is documented in the shipped, commented `Kiosk/kiosk.conf`).
///
/// Parsing starts from `Configuration()` and applies the file on top. Unspecified keys keep their
/// defaults; but if the file has any `[service …]` section its services replace the default
/// services entirely (likewise `[counter …]`, `[staff …]` and `[festival]`). A `[service ID]`
/// whose ID is a default service starts from that service's settings; any other ID is a new
/// service and needs `key`, `name` and `prefix`.
///
/// Every problem in the file is reported, not just the first one; the result is either a whole,
/// valid `Configuration` or the list of errors.
///
/// Here: the vocabulary, sections and keys; each key's value in ConfigurationParser+Values.swift
/// (cases in +Cases.swift); the checks of the file as a whole in +WholeFile.swift.
public enum ConfigurationParser {
    public static func parse(_ text: String, file: String) -> Result<Configuration, ConfigurationErrors> {
        check(text, file: file).result
    }

    /// Reads and parses the file at `path`. A missing, unreadable or non-UTF-8 file is an error
    /// naming the path. Diagnostics name the file as `path` was given.
    public static func load(path: String) -> Result<Configuration, ConfigurationErrors> {
        check(path: path).result
    }

    /// A parse together with its warnings: problems that do not stop the kiosk, such as a
    /// `pin-hash` in the old form. `kioskd --check-config` prints them; kioskd logs them at start.
    public struct Checked: Sendable {
        public var result: Result<Configuration, ConfigurationErrors>
        /// In file order, each with `severity == .warning`.
        public var warnings: [ConfigurationError]
        /// Where kiosk.conf names catalog keys and recordings, for the checks made outside it.
        public var lines = ConfigurationSourceLines()
    }

    /// `parse`, keeping the warnings.
    public static func check(_ text: String, file: String) -> Checked {
        var parser = Parser(file: file)
        for line in ConfigurationLexer.lines(text) { parser.handle(line) }
        let result = parser.finish()
        return Checked(result: result, warnings: parser.warnings, lines: parser.sourceLines)
    }

    /// `load`, keeping the warnings.
    public static func check(path: String) -> Checked {
        switch ConfigurationLexer.read(path: path).flatMap({ ConfigurationLexer.decodeUTF8($0, file: path) }) {
        case .success(let text): return check(text, file: path)
        case .failure(let errors): return Checked(result: .failure(errors), warnings: [])
        }
    }

    // MARK: - Vocabulary

    static let kioskKeys = [
        "id", "site", "phone", "language", "business-day-start", "timezone", "normal-per-priority",
        "keep-promises", "promise-margin",
        "recalls-before-no-show", "ticket-screen-seconds", "rating-timeout-seconds", "reason-timeout-seconds",
        "commitment-seconds", "farewell-seconds", "estimate-window", "estimator", "reasons", "weather",
        "central-url", "token-file", "ca-file", "sync-interval", "sync-batch-size", "sync-disk-budget",
        "printer", "announce-command", "announce-timeout", "root-causes", "board-flash-seconds",
        "ask-contact", "contact-seconds",
    ]
    static let serviceKeys = [
        "key", "name", "name.en", "prefix", "numbers", "target-wait", "typical-service", "reply-deadline", "complaint",
        "resolve-ordinary", "resolve-serious",
    ]
    static let counterKeys = ["services"]
    static let staffKeys = ["name", "pin-hash"]
    static let sectionKinds = ["kiosk", "service", "counter", "staff", "festival", "station", "calendar"]
    static let sectionForms = "[kiosk], [service ID], [counter N], [staff NUMBER], [festival] and [station NAME]"

    static let secondsRange = 3...600
    static let maxReasons = 6

    /// Whether `s` looks like a catalog key ("reason.wait", "festival.new-year").
    static func isCatalogKey(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.isASCIIAlphanumeric || "._-".unicodeScalars.contains($0)) }
            && s.first != "." && s.last != "."
    }

    static func isServiceID(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func isASCIIDigits(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    /// A whole number written with ASCII digits and an optional sign.
    static func integer(_ s: String) -> Int? {
        var digits = Substring(s)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard isASCIIDigits(String(digits)), digits.count <= 9 else { return nil }
        return Int(s)
    }

    // MARK: - Parser state

    enum Section {
        case kiosk
        case service(Int)  // index into `services`
        case counter(Int)  // index into `counters`
        case staff(Int)  // index into `staff`
        case festival
        /// `[calendar]`: the time case deadlines count (ConfigurationParser+Cases.swift).
        case calendar
        case station(Int)  // index into `stations`
        /// Lines are skipped (unknown or duplicate section; its header already produced an error).
        case skipped
    }

    struct ServiceDraft {
        var config: ServiceConfig
        var line: Int
        var isNew: Bool
        /// Keys written in the section, with their lines.
        var lines: [String: Int] = [:]
        var label: String { "[service \(Excerpt.of(config.id))]" }
    }

    struct CounterDraft {
        var number: Int
        var label: String
        var line: Int
        var services: [String]?
        var lines: [String: Int] = [:]
    }

    struct StaffDraft {
        var number: String
        var line: Int
        var name: String?
        var pinHash: String?
        var lines: [String: Int] = [:]
        var label: String { "[staff \(Excerpt.of(number))]" }
    }

    struct Parser {
        let file: String
        var errors: [ConfigurationError] = []
        var warnings: [ConfigurationError] = []
        var config = Configuration()
        var section: Section?
        var sectionLabel = ""
        /// Canonical section name ("service repairs", "counter 2") → line of its header.
        var sectionLines: [String: Int] = [:]
        /// Keys already set in the current section → their lines.
        var keyLines: [String: Int] = [:]
        var services: [ServiceDraft] = []
        var counters: [CounterDraft] = []
        var staff: [StaffDraft] = []
        var festivals: [Festival]?
        var stations: [StationConfig] = []
        /// `[calendar]` as written, checked as a whole at the end.
        var calendar = CalendarDraft()
        var sourceLines = ConfigurationSourceLines()

        init(file: String) { self.file = file }

        mutating func error(_ line: Int, _ message: String) {
            errors.append(ConfigurationError(file: file, line: line, message: message))
        }

        mutating func warning(_ line: Int, _ message: String) {
            warnings.append(ConfigurationError(file: file, line: line, message: message, severity: .warning))
        }

        // MARK: Lines

        mutating func handle(_ line: ConfigurationLexer.Line) {
            switch line.content {
            case .section(let kind, let argument):
                openSection(kind: kind, argument: argument, line: line.number)
            case .entry(let key, let value):
                entry(key: key, value: value, line: line.number)
            case .unclosedSection(let text):
                error(line.number, "section header '\(Excerpt.of(text))' has no closing ']'; write it like [service repairs]")
                section = .skipped
            case .missingKey(let text):
                error(line.number, "'\(Excerpt.of(text))' has no key before '='; write key = value")
            case .other(let text):
                error(line.number, "'\(Excerpt.of(text))' is neither a [section] header nor key = value; fix the line or comment it out with #")
            }
        }

        mutating func openSection(kind: String, argument: String?, line: Int) {
            keyLines = [:]
            guard ConfigurationParser.sectionKinds.contains(kind) else {
                var message = "unknown section [\(Excerpt.of(kind))\(argument.map { " " + Excerpt.of($0) } ?? "")]"
                if let s = ConfigurationLexer.suggestion(for: kind, among: ConfigurationParser.sectionKinds) {
                    message += " (did you mean [\(s)\(argument.map { " " + Excerpt.of($0) } ?? "")]?)"
                } else {
                    message += "; sections are \(ConfigurationParser.sectionForms)"
                }
                error(line, message)
                section = .skipped
                return
            }
            // Canonical name, for duplicate detection.
            var canonical = kind
            switch kind {
            case "kiosk", "festival", "calendar":
                if let argument {
                    error(line, "[\(Excerpt.of(kind))] takes no name, but has '\(Excerpt.of(argument))'; write just [\(Excerpt.of(kind))]")
                }
            default:
                guard let argument else {
                    let example = ["service": "[service repairs]", "counter": "[counter 1]", "staff": "[staff 1001]", "station": "[station lobby]"][kind]!
                    let what = ["service": "an ID", "counter": "a number", "staff": "a staff number", "station": "a name"][kind]!
                    error(line, "[\(Excerpt.of(kind))] needs \(what), e.g. \(example)")
                    section = .skipped
                    return
                }
                if kind == "counter", let n = ConfigurationParser.integer(argument) {
                    canonical += " \(n)"
                } else {
                    canonical += " \(argument)"
                }
            }
            if let first = sectionLines[canonical] {
                error(line, "duplicate section [\(Excerpt.of(canonical))] (first on line \(first)); merge the two into one section")
                section = .skipped
                return
            }
            sectionLines[canonical] = line
            sectionLabel = "[\(Excerpt.of(canonical))]"

            switch kind {
            case "kiosk":
                section = .kiosk
            case "calendar":
                calendar.line = line
                section = .calendar
            case "festival":
                festivals = festivals ?? []
                section = .festival
            case "service":
                let id = argument!
                if !ConfigurationParser.isServiceID(id) {
                    error(line, "service ID '\(Excerpt.of(id))' may only use lowercase letters, digits and '-'; rename it, e.g. [service \(suggestedID(id))]")
                }
                if let base = ServiceConfig.defaults.first(where: { $0.id == id }) {
                    services.append(ServiceDraft(config: base, line: line, isNew: false))
                } else {
                    services.append(ServiceDraft(config: ServiceConfig(id: id, key: 0, names: [:], prefix: ""), line: line, isNew: true))
                }
                section = .service(services.count - 1)
            case "counter":
                let text = argument!
                let number = ConfigurationParser.integer(text)
                if number == nil || !(1...99).contains(number!) {
                    error(line, "counter number '\(Excerpt.of(text))' must be a whole number from 1 to 99, e.g. [counter 1]")
                }
                counters.append(CounterDraft(number: number ?? 0, label: "[counter \(number.map(String.init) ?? Excerpt.of(text))]", line: line))
                section = .counter(counters.count - 1)
            case "station":
                stations.append(StationConfig(name: argument!))
                section = .station(stations.count - 1)
            default:  // staff
                let number = argument!
                if !(ConfigurationParser.isASCIIDigits(number) && (3...8).contains(number.count)) {
                    error(line, "staff number '\(Excerpt.of(number))' must be 3 to 8 digits, e.g. [staff 1001]")
                }
                staff.append(StaffDraft(number: number, line: line))
                section = .staff(staff.count - 1)
            }
        }

        func suggestedID(_ id: String) -> String {
            let lowered = id.lowercased().map { c -> Character in
                (c.isASCII && (c.isLetter || c.isNumber)) ? c : "-"
            }
            let result = String(lowered)
            return ConfigurationParser.isServiceID(result) ? result : "my-service"
        }

        mutating func entry(key: String, value: String, line: Int) {
            guard let section else {
                error(line, "'\(Excerpt.of(key))' is outside any section; put it below a section header such as [kiosk]")
                return
            }
            if case .skipped = section { return }
            if case .festival = section {
                festival(date: key, value: value, line: line)
                return
            }
            let valid: [String]
            switch section {
            case .kiosk: valid = ConfigurationParser.kioskKeys
            case .service: valid = ConfigurationParser.serviceKeys
            case .counter: valid = ConfigurationParser.counterKeys
            case .staff: valid = ConfigurationParser.staffKeys
            case .station: valid = StationConfig.keys
            case .calendar: valid = ConfigurationParser.calendarKeys
            case .festival, .skipped: return
            }
            guard valid.contains(key) else {
                unknownKey(key, valid: valid, line: line)
                return
            }
            if let first = keyLines[key] {
                error(line, "duplicate key '\(Excerpt.of(key))' in \(sectionLabel) (first set on line \(first)); keep only one")
                return
            }
            keyLines[key] = line
            if value.isEmpty {
                error(line, "'\(Excerpt.of(key))' in \(sectionLabel) has no value; write \(Excerpt.of(key)) = … or delete the line")
                return
            }
            switch section {
            case .kiosk: kiosk(key: key, value: value, line: line)
            case .service(let i):
                var draft = services[i]
                draft.lines[key] = line
                service(&draft, key: key, value: value, line: line)
                services[i] = draft
            case .counter(let i):
                var draft = counters[i]
                draft.lines[key] = line
                counter(&draft, key: key, value: value, line: line)
                counters[i] = draft
            case .staff(let i):
                var draft = staff[i]
                draft.lines[key] = line
                staffMember(&draft, key: key, value: value, line: line)
                staff[i] = draft
            case .station(let i):
                if let message = stations[i].set(key, value) { error(line, message) } else { boardInputs(station: i, key: key, line: line) }
                if key == "keypad" { sourceLines.keypads[stations[i].name] = line }
            case .calendar: calendarEntry(key: key, value: value, line: line)
            case .festival, .skipped: break
            }
        }

        /// A board only shows, so a keypad, key map or printer given to it is a mistake (a keypad
        /// held by the wall screen would be missing from the lobby); reported on that key's line,
        /// whether it comes before or after `role = board`.
        mutating func boardInputs(station i: Int, key: String, line: Int) {
            let station = stations[i]
            guard station.role == .board else { return }
            let lines = key == "role" ? StationConfig.inputKeys.compactMap { k in keyLines[k].map { (k, $0) } } : StationConfig.inputKeys.contains(key) ? [(key, line)] : []
            for (k, l) in lines {
                error(l, "\(k) in [station \(station.name)] has no use: a board (role = board) only shows the calls and the queue, it takes no keys and prints nothing; remove the \(k) line")
            }
        }

        mutating func unknownKey(_ key: String, valid: [String], line: Int) {
            if case .staff(let i) = section!, key == "pin" {
                staff[i].lines["pin"] = line
                error(line, "PINs are never stored in clear; run `kioskctl hash-pin` and put the result in pin-hash")
                return
            }
            if let s = ConfigurationLexer.suggestion(for: key, among: valid) {
                error(line, "unknown key '\(Excerpt.of(key))' in \(sectionLabel) (did you mean '\(s)'?)")
                return
            }
            let homes: [(String, [String])] = [
                ("[kiosk]", ConfigurationParser.kioskKeys), ("[service ID]", ConfigurationParser.serviceKeys),
                ("[counter N]", ConfigurationParser.counterKeys), ("[staff NUMBER]", ConfigurationParser.staffKeys),
                ("[calendar]", ConfigurationParser.calendarKeys),
            ]
            if let home = homes.first(where: { $0.1.contains(key) }) {
                error(line, "unknown key '\(Excerpt.of(key))' in \(sectionLabel); '\(Excerpt.of(key))' belongs in a \(home.0) section, move it there")
                return
            }
            error(line, "unknown key '\(Excerpt.of(key))' in \(sectionLabel); valid keys are \(valid.joined(separator: ", "))")
        }
    }
}
