import Foundation

/// One problem in a scenario file, like a compiler diagnostic:
/// `busy-day.scenario:12: 'rate' is not a key of [service repairs]; write share = … or time = …`.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 for the file as a whole.
    public var line: Int
    /// What is wrong and how to write it.
    public var message: String
    public init(file: String, line: Int, message: String) { self.file = file; self.line = line; self.message = message }
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Every problem found (parsing never stops at the first).
public struct ScenarioErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [ScenarioError]
    public init(_ errors: [ScenarioError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Reads a scenario file: kiosk.conf's syntax (`[section]`, `key = value`, `#` comments).
///
///     [scenario]        name, config (a kiosk.conf; default the shipped one), first-date,
///                       days, warm-up-days, seeds (1-5 or 1, 7, 9), open (08:30-17:00),
///                       tick (20s), priority-share (10%), no-show-share, recall-after,
///                       no-show-after, walk-up, reaction (distributions), rating-share,
///                       ratings (weights of levels 1–4: 60, 30, 7, 3)
///     [arrivals]        HH:MM = arrivals per hour (straight lines between the times)
///     [service ID]      share (weight), time (distribution of the visit)
///     [counter N]       services, staff, pin, login (HH:MM), pause (12:00-12:45, …)
///
/// Distributions: `lognormal MEDIAN SPREAD`, `uniform LOW HIGH`, `exponential MEAN`,
/// `fixed DURATION`; durations `90s`, `6m`, `1.5m`, `1h`.
public enum ScenarioParser {
    public static func parse(_ text: String, file: String) -> Result<Scenario, ScenarioErrors> {
        var parser = Parser(file: file)
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            parser.handle(String(raw), line: index + 1)
        }
        return parser.finish()
    }

    /// Reads the file at `path`; errors name it as given.
    public static func load(path: String) -> Result<Scenario, ScenarioErrors> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ScenarioErrors([ScenarioError(file: path, line: 0,
                message: "cannot read the scenario file; give the path of a .scenario file (Kiosk/scenarios/ has two)")]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(ScenarioErrors([ScenarioError(file: path, line: 0, message: "the file is not UTF-8 text; save it as UTF-8")]))
        }
        return parse(text, file: path)
    }

    static let scenarioKeys = [
        "name", "config", "first-date", "days", "warm-up-days", "seeds", "open", "tick", "priority-share", "no-show-share",
        "recall-after", "no-show-after", "walk-up", "reaction", "rating-share", "ratings",
    ]
    static let serviceKeys = ["share", "time"]
    static let counterKeys = ["services", "staff", "pin", "login", "pause"]

    /// "08:30" → seconds after midnight.
    static func timeOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0...59).contains(m), h * 60 + m <= 24 * 60 else { return nil }
        return h * 3600 + m * 60
    }

    /// "12:00-12:45" → seconds after midnight, from < to.
    static func span(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let a = timeOfDay(parts[0]), let b = timeOfDay(parts[1]), a < b else { return nil }
        return a...b
    }

    /// "10%" or "0.1" → 0.1 (0…1).
    static func share(_ text: String) -> Double? {
        let v = text.hasSuffix("%") ? Double(text.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 } : Double(text)
        guard let v, v >= 0, v <= 1 else { return nil }
        return v
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private struct Parser {
        let file: String
        var scenario = Scenario()
        var errors: [ScenarioError] = []
        /// The section being read: kind and argument.
        var section: (kind: String, argument: String, line: Int)?
        var seenSections: Set<String> = []
        var seenKeys: Set<String> = []
        var arrivalPoints: [(time: Int, perHour: Double)] = []
        var arrivalsLine = 0
        var service: (id: String, share: Double?, time: Distribution?, line: Int)?
        var counter: CounterDraft?

        struct CounterDraft {
            var number: Int
            var line: Int
            var services: [String]?
            var staff: String?
            var pin = "1234"
            var login: Int?
            var pauses: [ClosedRange<Int>] = []
        }

        init(file: String) { self.file = file }

        mutating func error(_ line: Int, _ message: String) { errors.append(ScenarioError(file: file, line: line, message: message)) }

        mutating func handle(_ raw: String, line: Int) {
            let text = Self.stripComment(raw).trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return }
            if text.hasPrefix("[") {
                guard text.hasSuffix("]") else { return error(line, "'\(text)' opens a section without closing it; write [scenario], [arrivals], [service ID] or [counter N]") }
                return open(String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces), line: line)
            }
            guard let equals = text.firstIndex(of: "=") else {
                return error(line, "'\(text)' is not a setting; write key = value")
            }
            let key = text[..<equals].trimmingCharacters(in: .whitespaces)
            let value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let section else {
                return error(line, "'\(key)' comes before any section; put it under [scenario], [arrivals], [service ID] or [counter N]")
            }
            guard !value.isEmpty else { return error(line, "'\(key)' has no value; write \(key) = VALUE") }
            let id = "\(section.kind) \(section.argument)|\(key)"
            if seenKeys.contains(id) { return error(line, "'\(key)' is set twice in this section; keep one") }
            seenKeys.insert(id)
            switch section.kind {
            case "scenario": scenarioSetting(key, value, line: line)
            case "arrivals": arrival(key, value, line: line)
            case "service": serviceSetting(key, value, line: line)
            case "counter": counterSetting(key, value, line: line)
            default: break
            }
        }

        static func stripComment(_ line: String) -> String {
            var previousIsSpace = true
            for (i, c) in zip(line.indices, line) {
                if (c == "#" || c == ";") && previousIsSpace { return String(line[..<i]) }
                previousIsSpace = c.isWhitespace
            }
            return line
        }

        mutating func open(_ header: String, line: Int) {
            closeSection()
            let words = header.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let kind = words.first ?? ""
            let argument = words.count > 1 ? words[1] : ""
            let name = "\(kind) \(argument)"
            if seenSections.contains(name) {
                error(line, "[\(header)] appears twice; keep one section and put all its settings there")
            }
            seenSections.insert(name)
            section = (kind, argument, line)
            switch (kind, argument.isEmpty) {
            case ("scenario", true), ("arrivals", true):
                if kind == "arrivals" { arrivalsLine = line }
            case ("service", false):
                guard argument.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else {
                    error(line, "'\(argument)' is not a service ID; use the ID of a [service …] of kiosk.conf, e.g. [service repairs]")
                    break
                }
                service = (argument, nil, nil, line)
            case ("counter", false):
                guard let n = Int(argument), (1...99).contains(n) else {
                    error(line, "'\(argument)' is not a counter number; write [counter N] with N from 1 to 99")
                    break
                }
                counter = CounterDraft(number: n, line: line)
            default:
                error(line, "[\(header)] is not a section of a scenario; write [scenario], [arrivals], [service ID] or [counter N]")
                section = ("unknown", header, line)
            }
        }

        mutating func closeSection() {
            if let s = service {
                if s.share == nil { error(s.line, "[service \(s.id)] has no share; add share = WEIGHT (e.g. share = 25)") }
                if s.time == nil { error(s.line, "[service \(s.id)] has no time; add time = DISTRIBUTION (e.g. time = lognormal 6m 0.5)") }
                if let share = s.share, let time = s.time { scenario.services.append(ServicePlan(id: s.id, share: share, time: time, line: s.line)) }
                service = nil
            }
            if let c = counter {
                if c.services == nil { error(c.line, "[counter \(c.number)] has no services; add services = ID, ID (the services it serves)") }
                if c.staff == nil { error(c.line, "[counter \(c.number)] has no staff; add staff = NUMBER (who logs in there)") }
                if c.login == nil { error(c.line, "[counter \(c.number)] has no login; add login = HH:MM (when staff log in)") }
                if let services = c.services, let staff = c.staff, let login = c.login {
                    scenario.counters.append(CounterPlan(number: c.number, services: services, staff: staff, pin: c.pin, login: login,
                                                         pauses: c.pauses, line: c.line))
                }
                counter = nil
            }
        }

        mutating func scenarioSetting(_ key: String, _ value: String, line: Int) {
            func count(_ range: ClosedRange<Int>) -> Int? {
                guard let n = Int(value), range.contains(n) else {
                    error(line, "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(value)'")
                    return nil
                }
                return n
            }
            func seconds() -> Int? {
                guard let v = Distribution.parseDuration(value), v >= 1, v <= 3600 else {
                    error(line, "\(key) must be a duration from 1s to 1h such as 60s or 2m, not '\(value)'")
                    return nil
                }
                return Int(v.rounded())
            }
            func fraction() -> Double? {
                guard let v = ScenarioParser.share(value) else {
                    error(line, "\(key) must be a share such as 10% or 0.1 (0 to 100%), not '\(value)'")
                    return nil
                }
                return v
            }
            func distribution() -> Distribution? {
                switch Distribution.parse(value) {
                case .success(let d): return d
                case .failure(let problem): error(line, "\(key): \(problem.message)"); return nil
                }
            }
            switch key {
            case "name": scenario.name = value
            case "config": scenario.configPath = value
            case "first-date":
                if value.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
                    error(line, "first-date must be a day written YYYY-MM-DD, not '\(value)'")
                } else { scenario.firstDate = value }
            case "days": if let n = count(1...366) { scenario.days = n }
            case "warm-up-days": if let n = count(0...60) { scenario.warmUpDays = n }
            case "seeds":
                if let seeds = ScenarioParser.seeds(value) { scenario.seeds = seeds } else {
                    error(line, "seeds must be whole numbers such as 1-5 or 1, 7, 9, not '\(value)'")
                }
            case "open":
                if let s = ScenarioParser.span(value) { scenario.opens = s.lowerBound; scenario.closes = s.upperBound } else {
                    error(line, "open must be the opening hours as HH:MM-HH:MM within one day (e.g. 08:30-17:00), not '\(value)'")
                }
            case "tick": if let v = seconds() { scenario.tickSeconds = v }
            case "priority-share": if let v = fraction() { scenario.priorityShare = v }
            case "no-show-share": if let v = fraction() { scenario.noShowShare = v }
            case "rating-share": if let v = fraction() { scenario.ratingShare = v }
            case "recall-after": if let v = seconds() { scenario.recallAfter = v }
            case "no-show-after": if let v = seconds() { scenario.noShowAfter = v }
            case "walk-up": if let d = distribution() { scenario.walkUp = d }
            case "reaction": if let d = distribution() { scenario.reaction = d }
            case "ratings":
                let weights = ScenarioParser.list(value).compactMap(Double.init)
                if weights.count == 4, weights.allSatisfy({ $0 >= 0 }), weights.reduce(0, +) > 0 { scenario.ratingWeights = weights } else {
                    error(line, "ratings must be four weights for the levels 1 (非常满意) to 4 (不满意), e.g. ratings = 60, 30, 7, 3")
                }
            default:
                error(line, "'\(key)' is not a key of [scenario]; the keys are \(ScenarioParser.scenarioKeys.joined(separator: ", "))")
            }
        }

        mutating func arrival(_ key: String, _ value: String, line: Int) {
            guard let time = ScenarioParser.timeOfDay(key) else {
                return error(line, "'\(key)' is not a time of day; write HH:MM = ARRIVALS-PER-HOUR, e.g. 10:00 = 19")
            }
            guard let rate = Double(value), rate >= 0, rate <= 10_000 else {
                return error(line, "'\(value)' is not a number of arrivals per hour (0 to 10000); write e.g. 10:00 = 19")
            }
            arrivalPoints.append((time, rate))
        }

        mutating func serviceSetting(_ key: String, _ value: String, line: Int) {
            guard service != nil else { return }
            switch key {
            case "share":
                if let v = Double(value.hasSuffix("%") ? String(value.dropLast()) : value), v >= 0 { service?.share = v } else {
                    error(line, "share must be a weight of 0 or more (e.g. share = 25), not '\(value)'")
                }
            case "time":
                switch Distribution.parse(value) {
                case .success(let d): service?.time = d
                case .failure(let problem): error(line, "time: \(problem.message)")
                }
            default:
                error(line, "'\(key)' is not a key of [service \(service!.id)]; write share = WEIGHT or time = DISTRIBUTION")
            }
        }

        mutating func counterSetting(_ key: String, _ value: String, line: Int) {
            guard counter != nil else { return }
            switch key {
            case "services": counter?.services = ScenarioParser.list(value)
            case "staff":
                if value.count >= 3, value.count <= 8, value.allSatisfy(\.isNumber) { counter?.staff = value } else {
                    error(line, "staff must be a staff number of 3 to 8 digits (e.g. staff = 1001), not '\(value)'")
                }
            case "pin":
                if value.count >= 4, value.count <= 12, value.allSatisfy(\.isNumber) { counter?.pin = value } else {
                    error(line, "pin must be the staff member's PIN, 4 to 12 digits (e.g. pin = 1234)")
                }
            case "login":
                if let t = ScenarioParser.timeOfDay(value) { counter?.login = t } else {
                    error(line, "login must be a time of day HH:MM (e.g. login = 08:30), not '\(value)'")
                }
            case "pause":
                let spans = ScenarioParser.list(value).map(ScenarioParser.span)
                if !spans.isEmpty, spans.allSatisfy({ $0 != nil }) { counter?.pauses = spans.compactMap { $0 } } else {
                    error(line, "pause must be breaks as HH:MM-HH:MM separated by commas (e.g. pause = 12:00-12:45), not '\(value)'")
                }
            default:
                error(line, "'\(key)' is not a key of [counter \(counter!.number)]; the keys are \(ScenarioParser.counterKeys.joined(separator: ", "))")
            }
        }

        mutating func finish() -> Result<Scenario, ScenarioErrors> {
            closeSection()
            if arrivalPoints.isEmpty {
                error(arrivalsLine, "no arrivals are given; add an [arrivals] section with lines HH:MM = ARRIVALS-PER-HOUR")
            }
            scenario.arrivals = RateProfile(points: arrivalPoints)
            if scenario.services.isEmpty {
                error(0, "no services are given; add [service ID] sections with share = … and time = …")
            } else if scenario.services.map(\.share).reduce(0, +) <= 0 {
                error(scenario.services[0].line, "every service has share 0; give at least one a share above 0")
            }
            if scenario.counters.isEmpty { error(0, "no counters are given; add [counter N] sections with services, staff and login") }
            for s in scenario.services where !scenario.counters.contains(where: { $0.services.contains(s.id) }) {
                error(s.line, "no counter serves '\(s.id)', so its tickets would never be called; add it to a counter's services")
            }
            var staffSeen: [String: Int] = [:]
            for c in scenario.counters {
                if let other = staffSeen[c.staff] {
                    error(c.line, "staff \(c.staff) already logs in at counter \(other); give each counter its own staff number")
                }
                staffSeen[c.staff] = c.number
            }
            errors.sort { $0.line < $1.line }
            return errors.isEmpty ? .success(scenario) : .failure(ScenarioErrors(errors))
        }
    }

    /// "1-5" or "1, 7, 9" (or both mixed).
    static func seeds(_ text: String) -> [UInt64]? {
        var result: [UInt64] = []
        for part in list(text) {
            let bounds = part.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            if bounds.count == 2, let a = UInt64(bounds[0]), let b = UInt64(bounds[1]), a <= b, b - a < 1000 {
                result += Array(a...b)
            } else if bounds.count == 1, let v = UInt64(bounds[0]) {
                result.append(v)
            } else {
                return nil
            }
        }
        return result.isEmpty ? nil : result
    }
}
