#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The checks kiosk.conf needs as a whole, once every line is read: required keys of new
/// sections, unique lobby keys and prefixes, counters that serve existing services and services
/// that some counter serves; then every error in file order.
extension ConfigurationParser.Parser {
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
            var keys: [Int: ConfigurationParser.ServiceDraft] = [:]
            var prefixes: [String: ConfigurationParser.ServiceDraft] = [:]
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
                error(line, "service '\(Excerpt.of(service.id))' is served by no counter: tickets could never be called; add it to a counter's services")
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
