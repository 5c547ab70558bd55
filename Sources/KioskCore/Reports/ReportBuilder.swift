#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds a `Report` from events (typically one business day or a range of days). Pure: the
/// result depends only on the events, the configuration and `now`.
///
/// The report is the merge of the folds of each kiosk's business days (`ReportDayFold`,
/// `ReportFold`): the very computation kiosk-central runs over the day folds it stores, so the
/// two cannot differ. A ticket is identified by its business day and label; it keeps its label
/// across a transfer. Each figure is attributed to the service the ticket belonged to when the
/// event happened (`ReportDayFold`).
public enum ReportBuilder {
    /// - Parameter cases: the states of cases opened in `events` as known elsewhere (the kiosk's
    ///   pulled states, the centre's authoritative ones); a case without one is folded from
    ///   `events` (`CaseState.fold`).
    public static func build(events: [KioskEvent], configuration: Configuration, cases: [CaseState] = [], now: Date) -> Report {
        build(sources: [ReportSource(events: events, configuration: configuration, cases: cases)], now: now)
    }

    /// One report over several kiosks (a site, or the whole fleet at the centre). Ticket labels,
    /// case references, counters and care alerts repeat from kiosk to kiosk, so each source keeps
    /// its own; waits, targets, deadlines and hours of day follow each source's configuration.
    /// Services are listed in the order of the sources' configurations; the report's kiosk, site
    /// and time zone are the first source's (callers relabel a site or fleet report).
    public static func build(sources: [ReportSource], now: Date) -> Report {
        fold(sources: sources, now: now).report(sources: sources.map(\.foldSource), now: now)
    }

    /// Every business day of every source folded and merged (`ReportFold`).
    public static func fold(sources: [ReportSource], now: Date) -> ReportFold {
        var fold = ReportFold()
        for source in sources {
            let caseState = source.caseState()
            for day in ReportDayFold.days(of: source.events, configuration: source.configuration) {
                fold.add(day, configuration: source.configuration, staffScope: source.staffScope, now: now, caseState: caseState)
            }
        }
        return fold
    }
}

/// The events of one kiosk with the configuration they were recorded under.
public struct ReportSource: Sendable {
    public var events: [KioskEvent]
    public var configuration: Configuration
    /// Set when staff numbers of different sources are different people (the fleet: staff 1001
    /// at two sites): the staff member is reported as "scope/number", named "name · scope".
    public var staffScope: String?
    /// What became of the cases these events opened, as known beyond the events: the kiosk's
    /// states pulled from the centre, or the centre's own. The report counts the cases opened in
    /// `events` (one per reference); each is the state given here for its reference (the highest
    /// `version` if several), else the fold of this source's events about it. States of cases
    /// not opened in `events` (another period) are not counted.
    public var cases: [CaseState]

    public init(events: [KioskEvent], configuration: Configuration, staffScope: String? = nil, cases: [CaseState] = []) {
        self.events = events; self.configuration = configuration; self.staffScope = staffScope; self.cases = cases
    }

    /// The key a staff number is reported under (see `staffScope`).
    public func staffKey(_ number: String) -> String { staffScope.map { "\($0)/\(number)" } ?? number }

    public var foldSource: ReportFold.Source { ReportFold.Source(configuration: configuration, staffScope: staffScope) }

    /// The state of a case these events opened: given in `cases` (the highest version), else
    /// folded from these events about it (over all their days: a case opened one day may be
    /// answered days later).
    public func caseState() -> (String) -> CaseState? {
        let given = Dictionary(cases.map { ($0.ref, $0) }, uniquingKeysWith: { $0.version >= $1.version ? $0 : $1 })
        // In the order they happened (stable by time), as a day's fold takes its events.
        let ordered = events.enumerated().filter { $0.element.type.isCaseEvent && $0.element.caseRef != nil }
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let events = Dictionary(grouping: ordered, by: { $0.caseRef ?? "" })
        return { ref in given[ref] ?? CaseState.fold(events[ref] ?? []) }
    }
}

