#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
import KioskSecrets

/// The values of kiosk.conf's keys, section by section (`[kiosk]`, `[service ID]`, `[counter N]`,
/// `[staff NUMBER]`, `[festival]`): each key's value is checked and applied to the draft, or
/// refused on its line with how to write it. The keys of follow-up cases are in
/// ConfigurationParser+Cases.swift.
extension ConfigurationParser.Parser {
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
                $0.isASCII && ($0.isASCIIAlphanumeric || "._-".unicodeScalars.contains($0))
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
            if let zone = SiteTimeZone(identifier: value) {
                config.zone = zone
            } else {
                var message = "timezone '\(Excerpt.of(value))' in [kiosk] is not a known IANA time zone; use a name like Asia/Shanghai"
                if !SiteTimeZone.databaseInstalled { message += " (no time zone database in \(SiteTimeZone.databaseFolder): apt-get install tzdata)" }
                if let s = ConfigurationLexer.suggestion(for: value, among: SiteTimeZone.knownIdentifiers) {
                    message += " (did you mean '\(s)'?)"
                }
                error(line, message)
            }
        case "normal-per-priority":
            if let v = number(value, key: key, line: line, range: 0...10, unit: "a count") { config.normalCallsPerPriority = v }
        case "keep-promises":
            if let v = choice(value.lowercased(), key: key, line: line, options: [("yes", true), ("no", false), ("true", true), ("false", false)]) {
                config.keepPromises = v
            }
        case "promise-margin":
            if let v = number(value, key: key, line: line, range: 0...30, unit: "a number of minutes") { config.promiseMarginMinutes = v }
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

    mutating func service(_ draft: inout ConfigurationParser.ServiceDraft, key: String, value: String, line: Int) {
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

    mutating func counter(_ draft: inout ConfigurationParser.CounterDraft, key: String, value: String, line: Int) {
        guard key == "services", let items = list(value, key: key, line: line, example: "repairs, fees") else { return }
        draft.services = items
    }

    mutating func staffMember(_ draft: inout ConfigurationParser.StaffDraft, key: String, value: String, line: Int) {
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
        let canonical = String(cFormat: "%02d-%02d", month, day)
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
}
