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

/// Ratings by level (1 非常满意 … 4 不满意) per service and per staff member, counted from
/// `rating.recorded` events (the `Report` keeps only index and CSAT).
public struct RatingDistribution: Equatable, Sendable {
    public var byService: [String: [Int]] = [:]
    public var byStaff: [String: [Int]] = [:]

    public init(byService: [String: [Int]], byStaff: [String: [Int]]) {
        self.byService = byService; self.byStaff = byStaff
    }

    public init(events: [KioskEvent]) {
        self.init(sources: [ReportSource(events: events, configuration: Configuration())])
    }

    /// Staff are keyed as the report keys them (`ReportSource.staffKey`).
    public init(sources: [ReportSource]) {
        for source in sources {
            for e in source.events where e.type == .ratingRecorded {
                guard let r = e.rating, (1...4).contains(r) else { continue }
                if let s = e.service { byService[s, default: [0, 0, 0, 0]][r - 1] += 1 }
                if let s = e.staff { byStaff[source.staffKey(s), default: [0, 0, 0, 0]][r - 1] += 1 }
            }
        }
    }
}

/// Everything a report page shows for a period, from the events of one kiosk (`kioskctl report`)
/// or of several (kiosk-central's site and fleet pages): one code path, so the pages agree with
/// `kioskctl report --json` by construction. Both build it from day folds (`ReportPeriodFold`):
/// the kiosk folds its days in memory, the centre reads the ones it stores.
public struct ReportPeriod: Sendable {
    /// The whole period (what `report --json` prints).
    public var report: Report
    /// One report per business day, oldest first, without its staff list (the whole period's
    /// has it).
    public var daily: [(day: String, report: Report)]
    public var distribution: RatingDistribution
    /// The wait target drawn on the hour chart: the one most services use.
    public var targetMinutes: Int

    public init(report: Report, daily: [(day: String, report: Report)], distribution: RatingDistribution, targetMinutes: Int) {
        self.report = report; self.daily = daily; self.distribution = distribution; self.targetMinutes = targetMinutes
    }

    public init(sources: [ReportSource], now: Date) {
        var days: [(source: Int, day: ReportDayFold)] = []
        for (i, s) in sources.enumerated() {
            days += ReportDayFold.days(of: s.events, configuration: s.configuration).map { (i, $0) }
        }
        let lookups = sources.map { $0.caseState() }
        var fold = ReportPeriodFold(sources: sources.map(\.foldSource), now: now)
        for (i, day) in days.sorted(by: { ($0.day.day, $0.source) < ($1.day.day, $1.source) }) {
            fold.add(day, configuration: sources[i].configuration, staffScope: sources[i].staffScope, caseState: lookups[i])
        }
        self = fold.finish()
    }

    /// The HTML page; `notes` are shown under the title (what the figures are based on).
    /// `labels`: what to show for a reason or root-cause key (`reason.wait` → "Long wait"), from
    /// the catalog of the configured language; a key not in it shows as itself.
    public func html(notes: [String] = [], labels: [String: String] = [:]) -> String {
        ReportHTML.page(report: report, daily: daily, distribution: distribution, targetMinutes: targetMinutes, notes: notes, labels: labels)
    }
}

/// A `ReportPeriod` merged from day folds added in day order (several kiosks' folds of one day
/// one after another). Holds one day's merge and the period's, never the events.
public struct ReportPeriodFold: Sendable {
    public let sources: [ReportFold.Source]
    public let now: Date
    public private(set) var period = ReportFold()
    private var current: (day: String, fold: ReportFold)?
    private var daily: [(day: String, report: Report)] = []

    public init(sources: [ReportFold.Source], now: Date) {
        self.sources = sources; self.now = now
    }

    /// Adds a kiosk's day (`ReportFold.add`); days come in ascending order.
    public mutating func add(_ day: ReportDayFold, configuration: Configuration, staffScope: String?,
                             caseState: (String) -> CaseState?) {
        if current?.day != day.day {
            closeDay()
            current = (day.day, ReportFold())
        }
        current!.fold.add(day, configuration: configuration, staffScope: staffScope, now: now, caseState: caseState)
    }

    private mutating func closeDay() {
        guard let (day, fold) = current else { return }
        if !fold.days.isEmpty { daily.append((day: day, report: fold.report(sources: sources, now: now, staff: false))) }
        period.merge(fold)
        current = nil
    }

    /// Appends a fold of the days after this one's (the later half of a period folded at the
    /// same time).
    public mutating func append(_ later: ReportPeriodFold) {
        var later = later
        closeDay()
        later.closeDay()
        daily += later.daily
        period.merge(later.period)
    }

    public mutating func finish() -> ReportPeriod {
        closeDay()
        let targets = sources.flatMap { $0.configuration.services.map(\.targetWaitMinutes) }
        return ReportPeriod(
            report: period.report(sources: sources, now: now), daily: daily,
            distribution: RatingDistribution(byService: period.ratingLevels, byStaff: period.staffRatingLevels),
            targetMinutes: Dictionary(grouping: targets, by: { $0 }).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key ?? 10)
    }
}

/// The manager's report as one self-contained HTML page: key figures, then charts drawn as inline
/// SVG (waits by hour against the target, busiest hours, share within target per day,
/// satisfaction per service and staff member, promise kept, no-shows, cases), then the full table.
/// No JavaScript and nothing fetched from the network.
public enum ReportHTML {
    static let levelColours = ["#1e8449", "#7dcea0", "#f5b041", "#c0392b"]
    static let levelNames = ["非常满意", "满意", "一般", "不满意"]

    /// - Parameters:
    ///   - report: the whole period (what `kioskctl report --json` prints for the same range).
    ///   - daily: one report per business day of the period, oldest first.
    ///   - targetMinutes: the wait target drawn on the hour chart.
    ///   - source: where the figures come from, under the title ("Kiosk kiosk-01" by default; the
    ///     centre's pages name several kiosks or the fleet).
    ///   - labels: reason and root-cause keys → the catalog's text (a missing key shows as itself).
    public static func page(report: Report, daily: [(day: String, report: Report)], distribution: RatingDistribution, targetMinutes: Int,
                            notes: [String] = [], source: String? = nil, labels: [String: String] = [:]) -> String {
        let o = report.overall
        let period = report.days.isEmpty ? "no events" : report.days.count == 1 ? report.days[0] : "\(report.days.first!) – \(report.days.last!)"
        var h = """
        <!DOCTYPE html>
        <html lang="zh-Hans"><head><meta charset="utf-8">
        <title>服务报告 \(esc(report.site)) \(esc(period))</title>
        <style>
        body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; margin: 24px; color: #222; max-width: 820px; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
        .meta { color: #666; font-size: 13px; }
        .tiles { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
        .tile { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
        .tile b { display: block; font-size: 20px; } .tile span { color: #666; font-size: 12px; }
        table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ddd; padding: 3px 6px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        .legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
        .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
        @media print { body { margin: 0; } }
        </style></head><body>
        <h1>服务报告 · \(esc(report.site))</h1>
        <div class="meta">\(esc(source ?? "Kiosk \(report.kiosk)")) · \(esc(period)) · generated \(esc(Date.ISO8601FormatStyle().format(report.generatedAt))) · \(esc(report.timeZone))</div>

        """
        for note in notes { h += "<div class=\"meta note\">\(esc(note))</div>\n" }
        h += """
        <div class="tiles">
        """
        h += tile("Tickets issued 取号", String(o.issued), "overall.issued", Double(o.issued))
        h += tile("Served 办结", String(o.served), "overall.served", Double(o.served))
        h += tile("Average wait 平均等候", ReportFormatter.duration(o.wait.average), "overall.wait.average", o.wait.average)
        h += tile("Within \(targetMinutes) min 达标率", ReportFormatter.percent(o.withinTarget), "overall.withinTarget", o.withinTarget)
        h += tile("Promise kept 承诺兑现", ReportFormatter.percent(o.promiseKept), "overall.promiseKept", o.promiseKept)
        h += tile("No-show rate 过号率", ReportFormatter.percent(o.noShowRate), "overall.noShowRate", o.noShowRate)
        h += tile("Satisfaction index 满意度指数", index(o.satisfactionIndex), "overall.satisfactionIndex", o.satisfactionIndex)
        h += tile("CSAT 满意率", ReportFormatter.percent(o.csat), "overall.csat", o.csat)
        h += tile("Cases opened 工单", String(report.cases.opened), "cases.opened", Double(report.cases.opened))
        h += tile("Cases overdue 超时", String(report.cases.overdue), "cases.overdue", Double(report.cases.overdue))
        if report.caseFigures.all.opened > 0 { h += caseTiles(report.caseFigures) }
        h += "</div>\n"

        // Waits and load by hour of day: the hours that saw tickets (at least 08–18).
        let used = report.hours.filter { $0.issued > 0 }.map(\.hour)
        let range = min(used.min() ?? 8, 8)...max(used.max() ?? 18, 18)
        let hours = report.hours.filter { range.contains($0.hour) }
        let target = Double(targetMinutes * 60)
        h += "<h2>Waits by hour of day 各时段平均等候（目标 \(targetMinutes) 分钟）</h2>\n"
        h += SVGChart.bars(hours.map { hr in
            SVGChart.Bar(label: String(cFormat: "%02d", hr.hour), value: hr.averageWaitSeconds, display: ReportFormatter.duration(hr.averageWaitSeconds),
                         metric: "hours[\(hr.hour)].averageWaitSeconds", colour: (hr.averageWaitSeconds ?? 0) > target ? "#c0392b" : "#2f6fb0")
        }, maximum: hours.compactMap(\.averageWaitSeconds).max() ?? target, target: (target, "\(targetMinutes) min target"), title: "Average wait by hour of day")
        h += "<h2>Busiest hours 各时段取号量</h2>\n"
        h += SVGChart.bars(hours.map { hr in
            SVGChart.Bar(label: String(cFormat: "%02d", hr.hour), value: Double(hr.issued), display: String(hr.issued), metric: "hours[\(hr.hour)].issued", colour: "#7f8c8d")
        }, maximum: Double(hours.map(\.issued).max() ?? 1), title: "Tickets issued by hour of day")

        h += "<h2>Share within target per day 每日达标率</h2>\n"
        h += SVGChart.bars(daily.map { d in
            SVGChart.Bar(label: String(d.day.suffix(5)), value: d.report.overall.withinTarget.map { $0 * 100 },
                         display: ReportFormatter.percent(d.report.overall.withinTarget), metric: "daily[\(d.day)].overall.withinTarget", colour: "#2f6fb0", figure: d.report.overall.withinTarget)
        }, maximum: 100, title: "Share of waits within target per day")

        h += "<h2>Satisfaction index per service 各业务满意度指数（0–100）</h2>\n"
        h += SVGChart.bars(report.services.enumerated().map { i, s in
            SVGChart.Bar(label: s.name, value: s.satisfactionIndex, display: index(s.satisfactionIndex), metric: "services[\(i)].satisfactionIndex", colour: "#1e8449")
        }, maximum: 100, title: "Satisfaction index per service")
        h += "<h2>Satisfaction index per staff member 各员工满意度指数</h2>\n"
        h += SVGChart.bars(report.staff.enumerated().map { i, s in
            SVGChart.Bar(label: s.name ?? s.number, value: s.satisfactionIndex, display: index(s.satisfactionIndex), metric: "staff[\(i)].satisfactionIndex", colour: "#1e8449")
        }, maximum: 100, title: "Satisfaction index per staff member")

        h += "<h2>Ratings 评价分布</h2>\n<div class=\"legend\">"
        for (name, colour) in zip(levelNames, levelColours) { h += "<span><i style=\"background:\(colour)\"></i>\(name)</span>" }
        h += "</div>\n"
        h += SVGChart.stacked(report.services.map { s in (s.name, segments(distribution.byService[s.id])) }, title: "Ratings per service")
        h += SVGChart.stacked(report.staff.map { s in (s.name ?? s.number, segments(distribution.byStaff[s.number])) }, title: "Ratings per staff member")

        h += "<h2>Promise kept and no-shows 承诺兑现与过号</h2>\n"
        h += SVGChart.bars(report.services.enumerated().map { i, s in
            SVGChart.Bar(label: s.name, value: s.promiseKept.map { $0 * 100 }, display: ReportFormatter.percent(s.promiseKept), metric: "services[\(i)].promiseKept", colour: "#2f6fb0", figure: s.promiseKept)
        }, maximum: 100, title: "Promise kept per service")
        h += SVGChart.bars(report.services.enumerated().map { i, s in
            SVGChart.Bar(label: s.name, value: s.noShowRate.map { $0 * 100 }, display: ReportFormatter.percent(s.noShowRate), metric: "services[\(i)].noShowRate", colour: "#d35400", figure: s.noShowRate)
        }, maximum: 100, title: "No-show rate per service")

        h += "<h2>Cases 承诺兑现单</h2>\n"
        let c = report.cases
        h += SVGChart.bars([
            SVGChart.Bar(label: "opened 新开", value: Double(c.opened), display: String(c.opened), metric: "cases.opened", colour: "#7f8c8d"),
            SVGChart.Bar(label: "answered 已答复", value: Double(c.answered), display: String(c.answered), metric: "cases.answered", colour: "#1e8449"),
            SVGChart.Bar(label: "in time 按时", value: Double(c.answeredInTime), display: String(c.answeredInTime), metric: "cases.answeredInTime", colour: "#7dcea0"),
            SVGChart.Bar(label: "overdue 超时", value: Double(c.overdue), display: String(c.overdue), metric: "cases.overdue", colour: "#c0392b"),
        ], maximum: Double(max(1, c.opened, c.answered, c.overdue)), title: "Cases opened, answered and overdue", width: 420)
        h += caseSection(report, labels: labels)

        h += "<h2>All figures 明细</h2>\n<table><tr><th>Service</th><th>Issued</th><th>Served</th><th>No-shows</th><th>Avg wait</th><th>In target</th><th>Promise kept</th><th>Index</th><th>CSAT</th><th>Ratings</th></tr>\n"
        for (i, s) in (report.services + [o]).enumerated() {
            let p = i < report.services.count ? "services[\(i)]" : "overall"
            h += "<tr><td>\(esc(s.name))</td>" + cell("\(s.issued)", "\(p).issued", Double(s.issued)) + cell("\(s.served)", "\(p).served", Double(s.served))
                + cell("\(s.noShows)", "\(p).noShows", Double(s.noShows)) + cell(ReportFormatter.duration(s.wait.average), "\(p).wait.average", s.wait.average)
                + cell(ReportFormatter.percent(s.withinTarget), "\(p).withinTarget", s.withinTarget) + cell(ReportFormatter.percent(s.promiseKept), "\(p).promiseKept", s.promiseKept)
                + cell(index(s.satisfactionIndex), "\(p).satisfactionIndex", s.satisfactionIndex) + cell(ReportFormatter.percent(s.csat), "\(p).csat", s.csat)
                + cell("\(s.ratings)", "\(p).ratings", Double(s.ratings)) + "</tr>\n"
        }
        h += "</table>\n"
        h += estimateSection(report)
        h += "</body></html>\n"
        return h
    }

    /// How well the estimates shown on tickets came true (`EstimateAccuracy`), per service and
    /// per day: the figures behind "tell residents honestly how long".
    static func estimateSection(_ report: Report) -> String {
        var h = "<h2>Estimate accuracy 预计等候准确度</h2>\n<table><tr><th></th><th>Tickets</th><th>Promise kept</th><th>In range</th>"
            + "<th>MAE (min)</th><th>Bias (min)</th><th>Over 5 min late</th><th>Median range (min)</th></tr>\n"
        func row(_ name: String, _ a: EstimateAccuracy, _ p: String) -> String {
            "<tr><td>\(esc(name))</td>" + cell("\(a.count)", "\(p).count", Double(a.count))
                + cell(ReportFormatter.percent(a.promiseKept), "\(p).promiseKept", a.promiseKept)
                + cell(ReportFormatter.percent(a.insideRange), "\(p).insideRange", a.insideRange)
                + cell(minutes(a.meanAbsoluteError), "\(p).meanAbsoluteError", a.meanAbsoluteError)
                + cell(minutes(a.bias), "\(p).bias", a.bias)
                + cell(ReportFormatter.percent(a.underPredictedOver5), "\(p).underPredictedOver5", a.underPredictedOver5)
                + cell(minutes(a.medianRangeWidth), "\(p).medianRangeWidth", a.medianRangeWidth) + "</tr>\n"
        }
        for (i, s) in report.services.enumerated() { h += row(s.name, s.estimates, "services[\(i)].estimates") }
        h += row(report.overall.name, report.overall.estimates, "overall.estimates")
        for (i, d) in report.estimatesByDay.enumerated() { h += row(d.day, d.estimates, "estimatesByDay[\(i)].estimates") }
        return h + "</table>\n"
    }

    static func minutes(_ v: Double?) -> String { v.map { String(cFormat: "%.1f", $0) } ?? "—" }

    static func segments(_ counts: [Int]?) -> [SVGChart.Segment] {
        let c = counts ?? [0, 0, 0, 0]
        return (0..<4).map { SVGChart.Segment(value: c[$0], colour: levelColours[$0], label: levelNames[$0]) }
    }

    static func tile(_ label: String, _ display: String, _ metric: String, _ value: Double?) -> String {
        "<div class=\"tile\"><b\(attributes(metric, value))>\(esc(display))</b><span>\(esc(label))</span></div>\n"
    }

    static func cell(_ display: String, _ metric: String, _ value: Double?) -> String {
        "<td\(attributes(metric, value))>\(esc(display))</td>"
    }

    static func attributes(_ metric: String, _ value: Double?) -> String {
        guard let value else { return " data-metric=\"\(metric)\" data-value=\"null\"" }
        return " data-metric=\"\(metric)\" data-value=\"\(raw(value))\""
    }

    /// A figure as written in `data-value`: the shortest exact form, as JSON has it.
    static func raw(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }

    static func index(_ v: Double?) -> String { v.map { String(cFormat: "%.1f", $0) } ?? "—" }
    static func esc(_ s: String) -> String { SVGChart.esc(s) }
}

/// The report for spreadsheets: one row per figure (`scope,id,name,metric,value`), UTF-8 with a
/// byte-order mark so Excel shows the Chinese names.
public enum ReportCSV {
    /// The estimate accuracy figures (`EstimateAccuracy`) as rows, named as in the JSON.
    static func estimateFigures(_ a: EstimateAccuracy) -> [(String, Double?)] {
        [("estimates.count", Double(a.count)), ("estimates.promiseKept", a.promiseKept), ("estimates.insideRange", a.insideRange),
         ("estimates.meanAbsoluteError", a.meanAbsoluteError), ("estimates.bias", a.bias),
         ("estimates.underPredictedOver5", a.underPredictedOver5), ("estimates.medianRangeWidth", a.medianRangeWidth)]
    }

    public static func csv(_ report: Report, daily: [(day: String, report: Report)] = []) -> String {
        var rows = ["scope,id,name,metric,value"]
        func add(_ scope: String, _ id: String, _ name: String, _ metric: String, _ value: Double?) {
            rows.append([scope, id, name, metric, value.map { ReportHTML.raw($0) } ?? ""].map(field).joined(separator: ","))
        }
        func service(_ scope: String, _ s: ServiceReport) {
            let figures: [(String, Double?)] = [
                ("issued", Double(s.issued)), ("priority", Double(s.priority)), ("called", Double(s.called)), ("served", Double(s.served)),
                ("noShows", Double(s.noShows)), ("walkOuts", Double(s.walkOuts)), ("transfers", Double(s.transfers)),
                ("wait.average", s.wait.average), ("wait.p90", s.wait.p90), ("serviceTime.average", s.serviceTime.average),
                ("withinTarget", s.withinTarget), ("promiseKept", s.promiseKept), ("noShowRate", s.noShowRate), ("ratings", Double(s.ratings)),
                ("satisfactionIndex", s.satisfactionIndex), ("csat", s.csat), ("responseRate", s.responseRate),
            ] + estimateFigures(s.estimates)
            for (m, v) in figures { add(scope, s.id, s.name, m, v) }
        }
        for s in report.services { service("service", s) }
        service("overall", report.overall)
        for s in report.staff {
            for (m, v) in [("served", Double(s.served)), ("averageServiceSeconds", s.averageServiceSeconds), ("ratings", Double(s.ratings)),
                           ("satisfactionIndex", s.satisfactionIndex), ("csat", s.csat), ("responseRate", s.responseRate)] {
                add("staff", s.number, s.name ?? "", m, v)
            }
        }
        let c = report.cases
        for (m, v) in [("opened", c.opened), ("answered", c.answered), ("answeredInTime", c.answeredInTime), ("overdue", c.overdue)] { add("cases", "", "", m, Double(v)) }
        caseRows(report, add)
        for d in report.estimatesByDay {
            for (m, v) in estimateFigures(d.estimates) { add("day", d.day, "", m, v) }
        }
        for hr in report.hours {
            add("hour", String(cFormat: "%02d", hr.hour), "", "issued", Double(hr.issued))
            add("hour", String(cFormat: "%02d", hr.hour), "", "averageWaitSeconds", hr.averageWaitSeconds)
        }
        for d in daily {
            add("day", d.day, "", "issued", Double(d.report.overall.issued))
            add("day", d.day, "", "withinTarget", d.report.overall.withinTarget)
        }
        return "\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
    }
}
