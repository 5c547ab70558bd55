import Foundation
import KioskSecrets

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
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
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

        // MARK: Values

        mutating func number(_ value: String, key: String, line: Int, range: ClosedRange<Int>, unit: String) -> Int? {
            guard let n = ConfigurationParser.integer(value) else {
                error(line, "\(Excerpt.of(key)) in \(sectionLabel) must be a whole number, not '\(Excerpt.of(value))'; use \(unit) from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            guard range.contains(n) else {
                error(line, "\(Excerpt.of(key)) = \(Excerpt.of(value)) in \(sectionLabel) is out of range; use \(unit) from \(range.lowerBound) to \(range.upperBound)")
                return nil
            }
            return n
        }

        mutating func choice<T>(_ value: String, key: String, line: Int, options: [(String, T)]) -> T? {
            if let match = options.first(where: { $0.0 == value }) { return match.1 }
            let names = options.map(\.0)
            var message = "\(Excerpt.of(key)) = \(Excerpt.of(value)) in \(sectionLabel) is not allowed; use one of: \(names.joined(separator: ", "))"
            if let s = ConfigurationLexer.suggestion(for: value, among: names) { message += " (did you mean '\(s)'?)" }
            error(line, message)
            return nil
        }

        /// Comma-separated items, trimmed; reports empty items.
        mutating func list(_ value: String, key: String, line: Int, example: String) -> [String]? {
            let items = value.split(separator: ",", omittingEmptySubsequences: false).map { ConfigurationLexer.trim($0) }
            if items.contains(where: \.isEmpty) {
                error(line, "\(Excerpt.of(key)) in \(sectionLabel) has an empty item; separate items with single commas, e.g. \(Excerpt.of(key)) = \(example)")
                return nil
            }
            var seen: Set<String> = []
            for item in items where !seen.insert(item).inserted {
                error(line, "\(Excerpt.of(key)) in \(sectionLabel) lists '\(Excerpt.of(item))' twice; list each only once")
                return nil
            }
            return items
        }

        mutating func kiosk(key: String, value: String, line: Int) {
            let seconds = "a number of seconds"
            switch key {
            case "id":
                let ok = value.count <= 64 && value.unicodeScalars.allSatisfy {
                    $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
                }
                if ok { config.kioskID = value } else {
                    error(line, "id '\(Excerpt.of(value))' in [kiosk] may only use letters, digits, '.', '_' and '-' (at most 64); e.g. id = kiosk-01")
                }
            case "site": config.siteName = value
            case "phone": config.phone = value
            case "language":
                if let v = choice(value, key: key, line: line, options: Language.allCases.map { ($0.rawValue, $0) }) { config.language = v }
            case "business-day-start":
                if let v = number(value, key: key, line: line, range: 0...23, unit: "an hour") { config.businessDayStartHour = v }
            case "timezone":
                if let zone = TimeZone(identifier: value) {
                    config.timeZone = zone
                } else {
                    var message = "timezone '\(Excerpt.of(value))' in [kiosk] is not a known IANA time zone; use a name like Asia/Shanghai"
                    if let s = ConfigurationLexer.suggestion(for: value, among: TimeZone.knownTimeZoneIdentifiers) {
                        message += " (did you mean '\(s)'?)"
                    }
                    error(line, message)
                }
            case "normal-per-priority":
                if let v = number(value, key: key, line: line, range: 0...10, unit: "a count") { config.normalCallsPerPriority = v }
            case "recalls-before-no-show":
                if let v = number(value, key: key, line: line, range: 0...9, unit: "a count") { config.recallsBeforeNoShow = v }
            case "ticket-screen-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.ticketScreenSeconds = v }
            case "rating-timeout-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.ratingTimeoutSeconds = v }
            case "reason-timeout-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.reasonTimeoutSeconds = v }
            case "commitment-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.commitmentSeconds = v }
            case "contact-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.contactSeconds = v }
            case "ask-contact":
                if let v = choice(value.lowercased(), key: key, line: line, options: [("yes", true), ("no", false), ("true", true), ("false", false)]) {
                    config.askContact = v
                }
            case "farewell-seconds":
                if let v = number(value, key: key, line: line, range: ConfigurationParser.secondsRange, unit: seconds) { config.farewellSeconds = v }
            case "estimate-window":
                if let v = number(value, key: key, line: line, range: 1...200, unit: "a number of services") { config.estimateWindow = v }
            case "estimator":
                if let v = choice(value, key: key, line: line, options: WaitEstimators.names.map { ($0, $0) }) { config.estimator = v }
            case "reasons":
                guard let items = list(value, key: key, line: line, example: "reason.wait, reason.attitude") else { return }
                if let bad = items.first(where: { !ConfigurationParser.isCatalogKey($0) }) {
                    error(line, "'\(Excerpt.of(bad))' in reasons is not a catalog key; use keys like reason.wait, separated by commas")
                } else if items.count > ConfigurationParser.maxReasons {
                    error(line, "reasons in [kiosk] lists \(items.count) reasons; the rating pad offers at most \(ConfigurationParser.maxReasons) (keys 1–6), remove some")
                } else {
                    config.reasons = items
                    sourceLines.reasons = line
                }
            case "weather":
                if let v = choice(value, key: key, line: line, options: Weather.allCases.map { ($0.rawValue, $0) }) { config.weather = v }
            case "central-url":
                if value.hasPrefix("https://") || value.hasPrefix("http://") { config.centralURL = value } else {
                    error(line, "central-url '\(Excerpt.of(value))' in [kiosk] must start with https:// (or http:// behind a local proxy); e.g. central-url = https://central.example.com")
                }
            case "token-file": config.syncTokenFile = value
            case "printer":
                if value.hasPrefix("/") { config.printer = value } else {
                    error(line, "printer '\(Excerpt.of(value))' in [kiosk] must be a device path; e.g. printer = /dev/usb/lp0")
                }
            case "announce-command":
                if value.contains("{ticket}") { config.announceCommand = value } else {
                    error(line, "announce-command in [kiosk] must contain {ticket} (and usually {counter}); e.g. announce-command = espeak-ng -v cmn \"请 {ticket} 号到 {counter} 号窗口\"")
                }
            case "announce-timeout":
                if let v = number(value, key: key, line: line, range: 1...120, unit: seconds) { config.announceTimeoutSeconds = v }
            case "board-flash-seconds":
                if let v = number(value, key: key, line: line, range: 1...60, unit: seconds) { config.boardFlashSeconds = v }
            case "ca-file":
                if value.hasPrefix("/") { config.syncCAFile = value } else {
                    error(line, "ca-file '\(Excerpt.of(value))' in [kiosk] must be an absolute path to a PEM file; e.g. ca-file = /etc/kiosk/central-ca.pem")
                }
            case "sync-interval":
                if let v = number(value, key: key, line: line, range: 5...86_400, unit: seconds) { config.syncIntervalSeconds = v }
            case "sync-batch-size":
                if let v = number(value, key: key, line: line, range: 1...1000, unit: "events per upload") { config.syncBatchSize = v }
            case "root-causes": rootCauses(value, line: line)
            case "sync-disk-budget":
                if let v = number(value, key: key, line: line, range: 1...1_048_576, unit: "MiB of unsent events") { config.syncDiskBudgetMiB = v }
            default: break
            }
        }

        mutating func service(_ draft: inout ServiceDraft, key: String, value: String, line: Int) {
            switch key {
            case "key":
                if let v = number(value, key: key, line: line, range: 1...9, unit: "a lobby key") { draft.config.key = v }
            case "name": draft.config.names[.chinese] = value
            case "name.en": draft.config.names[.english] = value
            case "prefix":
                let ok = (1...2).contains(value.count) && value.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
                if ok { draft.config.prefix = value } else {
                    error(line, "prefix '\(Excerpt.of(value))' in \(draft.label) is not allowed; use 1 or 2 uppercase letters, e.g. prefix = A")
                }
            case "numbers":
                let parts = value.split(separator: "-", omittingEmptySubsequences: false).map { ConfigurationLexer.trim($0) }
                guard parts.count == 2, ConfigurationParser.isASCIIDigits(parts[0]), ConfigurationParser.isASCIIDigits(parts[1]),
                      parts[0].count <= 5, parts[1].count <= 5, let first = Int(parts[0]), let last = Int(parts[1])
                else {
                    error(line, "numbers = \(Excerpt.of(value)) in \(draft.label) is not a range; write first-last, e.g. numbers = 1-999")
                    return
                }
                guard first >= 1, first <= last, last <= 9999 else {
                    error(line, "numbers = \(Excerpt.of(value)) in \(draft.label) is out of range; the first number must be at least 1 and at most the last, and the last at most 9999")
                    return
                }
                draft.config.firstNumber = first; draft.config.lastNumber = last
            case "target-wait":
                if let v = number(value, key: key, line: line, range: 1...120, unit: "minutes") { draft.config.targetWaitMinutes = v }
            case "typical-service":
                if let v = number(value, key: key, line: line, range: 1...120, unit: "minutes") { draft.config.typicalServiceMinutes = v }
            case "reply-deadline":
                var hours = value
                if hours.hasSuffix("h") || hours.hasSuffix("H") { hours = ConfigurationLexer.trim(hours.dropLast()) }
                if let v = number(hours, key: key, line: line, range: 1...720, unit: "hours (e.g. 48 or 48h)") { draft.config.replyDeadlineHours = v }
            case "resolve-ordinary", "resolve-serious":
                resolveDeadline(&draft, key: key, value: value, line: line)
            case "complaint":
                if let v = choice(value.lowercased(), key: key, line: line, options: [("yes", true), ("no", false), ("true", true), ("false", false)]) {
                    draft.config.isComplaint = v
                }
            default: break
            }
        }

        mutating func counter(_ draft: inout CounterDraft, key: String, value: String, line: Int) {
            guard key == "services", let items = list(value, key: key, line: line, example: "repairs, fees") else { return }
            draft.services = items
        }

        mutating func staffMember(_ draft: inout StaffDraft, key: String, value: String, line: Int) {
            switch key {
            case "name": draft.name = value
            case "pin-hash":
                switch SecretHash.form(of: value) {
                case .some(let form):
                    draft.pinHash = value
                    if !form.isCurrent {
                        warning(line, "pin-hash of \(draft.label) is in the old \(form.rawValue) form: it still logs in, but a copy of this file is easier to guess PINs from; renew it: run `kioskctl hash-pin` with this member's PIN (e.g. `kioskctl hash-pin 1234`) and put the pin-hash line it prints ($y$…, yescrypt) in place of this one")
                    }
                case nil where value.hasPrefix("$"):
                    error(line, "pin-hash of \(draft.label) is not a valid yescrypt hash ($y$PARAMETERS$SALT$HASH with a cost from \(SecretHash.acceptedYescryptCosts.lowerBound) to \(SecretHash.acceptedYescryptCosts.upperBound)); run `kioskctl hash-pin` and use the pin-hash line it prints")
                case nil:
                    error(line, "pin-hash of \(draft.label) is not a valid hash (pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX); run `kioskctl hash-pin` and use the pin-hash line it prints")
                }
            default: break
            }
        }

        mutating func festival(date: String, value: String, line: Int) {
            let parts = date.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard parts.count == 2, parts.allSatisfy({ ConfigurationParser.isASCIIDigits($0) && $0.count <= 2 }),
                  let month = Int(parts[0]), let day = Int(parts[1])
            else {
                error(line, "'\(Excerpt.of(date))' in [festival] is not a date; write MM-DD = catalog.key, e.g. 12-25 = festival.christmas")
                return
            }
            guard (1...12).contains(month), (1...daysInMonth[month - 1]).contains(day) else {
                error(line, "'\(Excerpt.of(date))' in [festival] is not a day of the year; write MM-DD with a real month and day, e.g. 10-01")
                return
            }
            let canonical = String(format: "%02d-%02d", month, day)
            if let first = keyLines[canonical] {
                error(line, "duplicate date \(canonical) in [festival] (first on line \(first)); keep one greeting per day")
                return
            }
            keyLines[canonical] = line
            guard ConfigurationParser.isCatalogKey(value) else {
                error(line, "'\(Excerpt.of(value))' for \(canonical) in [festival] is not a catalog key; use a key like festival.new-year")
                return
            }
            festivals!.append(Festival(month: month, day: day, messageKey: value))
            if sourceLines.festivals[value] == nil { sourceLines.festivals[value] = line }
        }

        // MARK: Whole-file checks

        mutating func finish() -> Result<Configuration, ConfigurationErrors> {
            let fileServices = !services.isEmpty
            let fileCounters = !counters.isEmpty

            // Required keys of new services, counters and staff.
            for draft in services where draft.isNew {
                if draft.lines["key"] == nil { error(draft.line, "\(draft.label) has no 'key'; a new service needs key = 1–9, the lobby key that picks it") }
                if draft.lines["name"] == nil { error(draft.line, "\(draft.label) has no 'name'; a new service needs name = its Chinese name") }
                if draft.lines["prefix"] == nil { error(draft.line, "\(draft.label) has no 'prefix'; a new service needs prefix = 1–2 uppercase letters for its tickets") }
            }
            for draft in counters where draft.lines["services"] == nil {
                error(draft.line, "\(draft.label) has no 'services'; add services = the IDs of the services it serves, e.g. services = repairs, fees")
            }
            for draft in staff {
                if draft.lines["name"] == nil { error(draft.line, "\(draft.label) has no 'name'; add name = the staff member's name") }
                if draft.lines["pin-hash"] == nil && draft.lines["pin"] == nil {
                    error(draft.line, "\(draft.label) has no 'pin-hash'; run `kioskctl hash-pin` and add the pin-hash line it prints")
                }
            }

            // Unique lobby keys and prefixes.
            if fileServices {
                var keys: [Int: ServiceDraft] = [:]
                var prefixes: [String: ServiceDraft] = [:]
                for draft in services {
                    let key = draft.config.key
                    if key != 0, draft.lines["key"] != nil || !draft.isNew {
                        if let other = keys[key] {
                            error(draft.lines["key"] ?? draft.line,
                                  "key \(key) of \(draft.label) is already used by \(other.label) (line \(other.lines["key"] ?? other.line)); give each service its own lobby key 1–9")
                        } else { keys[key] = draft }
                    }
                    let prefix = draft.config.prefix
                    if !prefix.isEmpty {
                        if let other = prefixes[prefix] {
                            error(draft.lines["prefix"] ?? draft.line,
                                  "prefix '\(prefix)' of \(draft.label) is already used by \(other.label) (line \(other.lines["prefix"] ?? other.line)); give each service its own prefix")
                        } else { prefixes[prefix] = draft }
                    }
                }
                config.services = services.map(\.config)
            }
            if fileCounters {
                config.counters = counters.map { CounterConfig(number: $0.number, services: $0.services ?? []) }
            }
            if !staff.isEmpty {
                config.staff = staff.map { StaffConfig(number: $0.number, name: $0.name ?? "", pinHash: $0.pinHash ?? "") }
            }
            if let festivals { config.festivals = festivals }
            config.stations = stations
            for station in stations {
                if case .counter(let n) = station.role, config.counter(n) == nil {
                    error(sectionLines["station \(station.name)"] ?? 0,
                          "[station \(station.name)] has role = counter \(n), but there is no [counter \(n)]; use one of the counters: \(config.counters.map { String($0.number) }.joined(separator: ", "))")
                }
            }

            // Counters name existing services; every service has a counter.
            let serviceIDs = config.services.map(\.id)
            if fileCounters {
                for draft in counters {
                    for id in draft.services ?? [] where !serviceIDs.contains(id) {
                        var message = "\(draft.label) serves unknown service '\(Excerpt.of(id))'"
                        if let s = ConfigurationLexer.suggestion(for: id, among: serviceIDs) {
                            message += " (did you mean '\(s)'?)"
                        }
                        message += "; use the ID of a [service ID] section (\(serviceIDs.joined(separator: ", ")))"
                        error(draft.lines["services"] ?? draft.line, message)
                    }
                }
            } else {
                let missing = config.counters.flatMap(\.services).filter { !serviceIDs.contains($0) }
                var unique: [String] = []
                for id in missing where !unique.contains(id) { unique.append(id) }
                if !unique.isEmpty {
                    error(0, "the default counters serve \(unique.joined(separator: ", ")), which this file does not define; add [counter N] sections listing your services")
                }
            }
            let served = Set(config.counters.flatMap(\.services))
            if fileServices || fileCounters {
                for service in config.services where !served.contains(service.id) {
                    let line = services.first(where: { $0.config.id == service.id })?.line ?? 0
                    error(line, "service '\(service.id)' is served by no counter: tickets could never be called; add it to a counter's services")
                }
            }

            finishCalendar()

            if errors.isEmpty { return .success(config) }
            // File order; whole-file problems (line 0) last.
            func rank(_ e: ConfigurationError) -> Int { e.line > 0 ? e.line : Int.max }
            let ordered = errors.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
            return .failure(ConfigurationErrors(ordered))
        }
    }
}
