#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore

/// The report page's case section (`CaseFigures`): key figures, cases by reason and by root
/// cause per month and per service as stacked SVG bars, and the figures per service, month and
/// handler. Every number carries `data-metric` (its path in `kioskctl report --json`).
extension ReportHTML {
    /// Colours of reason and root-cause segments, in order of how often each occurs.
    static let categoryColours = ["#2f6fb0", "#d35400", "#1e8449", "#8e44ad", "#c0392b", "#16a085", "#f5b041",
                                  "#7f8c8d", "#34495e", "#e84393"]

    static func caseTiles(_ f: CaseFigures) -> String {
        let a = f.all
        var h = ""
        h += tile("First reply in time 按时答复", ReportFormatter.percent(a.repliedInTimeRate), "caseFigures.all.repliedInTimeRate", a.repliedInTimeRate)
        h += tile("Resolved in time 按时办结", ReportFormatter.percent(a.resolvedInTimeRate), "caseFigures.all.resolvedInTimeRate", a.resolvedInTimeRate)
        h += tile("Reopened 重开率", ReportFormatter.percent(a.reopenedRate), "caseFigures.all.reopenedRate", a.reopenedRate)
        h += tile("Satisfied with handling 处理满意", ReportFormatter.percent(a.satisfactionRate), "caseFigures.all.satisfactionRate", a.satisfactionRate)
        h += tile("Median to first reply 答复中位", ReportFormatter.span(a.medianSecondsToFirstReply), "caseFigures.all.medianSecondsToFirstReply", a.medianSecondsToFirstReply)
        h += tile("Median to resolution 办结中位", ReportFormatter.span(a.medianSecondsToResolution), "caseFigures.all.medianSecondsToResolution", a.medianSecondsToResolution)
        return h
    }

    static func caseSection(_ report: Report, labels: [String: String] = [:]) -> String {
        func shown(_ key: String) -> String { labels[key] ?? key }
        let f = report.caseFigures
        let names = Dictionary(report.services.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var h = "<h2>Case figures 工单分析（收集 → 分析 → 处理 → 总结）</h2>\n"
        guard f.all.opened > 0 else { return h + "<p class=\"meta\">No cases opened in this period. 本期无工单。</p>\n" }

        let breakdowns: [(String, [String], (CaseTally) -> [String: Int])] = [
            ("reason 原因", f.reasonKeys, { $0.reasons }), ("root cause 根因", f.rootCauseKeys, { $0.rootCauses }),
        ]
        for (title, keys, counts) in breakdowns where !keys.isEmpty {
            let colour = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, categoryColours[$0 % categoryColours.count]) })
            h += "<div class=\"legend\">"
            for k in keys { h += "<span><i style=\"background:\(colour[k]!)\"></i>\(esc(shown(k)))</span>" }
            h += "</div>\n"
            func rows(_ groups: [CaseTally], _ label: (String) -> String) -> [(label: String, segments: [SVGChart.Segment])] {
                groups.map { g in (label(g.id), keys.map { SVGChart.Segment(value: counts(g)[$0] ?? 0, colour: colour[$0]!, label: shown($0)) }) }
            }
            h += SVGChart.stacked(rows(f.byMonth, { $0 }), title: "Cases by \(title) per month")
            h += SVGChart.stacked(rows(f.byService, { names[$0] ?? $0 }), title: "Cases by \(title) per service")
            h += "<table><tr><th>\(esc(title))</th>" + f.byMonth.map { "<th>\(esc($0.id))</th>" }.joined() + "<th>All</th></tr>\n"
            for k in keys {
                h += "<tr><td>\(esc(shown(k)))</td>"
                // Keys have dots ("reason.wait"), so these counts carry no JSON path.
                for m in f.byMonth + [f.all] { h += "<td>\(counts(m)[k] ?? 0)</td>" }
                h += "</tr>\n"
            }
            h += "</table>\n"
        }

        h += "<h2>Cases per service, month and handler 分业务、月份、经办人</h2>\n"
        h += "<table><tr><th></th><th>Opened</th><th>Reply in time</th><th>Resolved in time</th><th>Reopened</th><th>Satisfied</th><th>To reply</th><th>To resolve</th><th>Open</th><th>Overdue now</th></tr>\n"
        var groups: [(name: String, path: String, tally: CaseTally)] = []
        for (i, t) in f.byService.enumerated() { groups.append((names[t.id] ?? t.id, "caseFigures.byService[\(i)]", t)) }
        for (i, t) in f.byMonth.enumerated() { groups.append((t.id, "caseFigures.byMonth[\(i)]", t)) }
        for (i, t) in f.byHandler.enumerated() { groups.append((t.id, "caseFigures.byHandler[\(i)]", t)) }
        groups.append(("All 合计", "caseFigures.all", f.all))
        for (name, p, t) in groups {
            let rates: [(String, Double?)] = [
                ("repliedInTimeRate", t.repliedInTimeRate), ("resolvedInTimeRate", t.resolvedInTimeRate),
                ("reopenedRate", t.reopenedRate), ("satisfactionRate", t.satisfactionRate),
            ]
            let medians: [(String, Double?)] = [
                ("medianSecondsToFirstReply", t.medianSecondsToFirstReply), ("medianSecondsToResolution", t.medianSecondsToResolution),
            ]
            var row = "<tr><td>\(esc(name))</td>" + cell("\(t.opened)", "\(p).opened", Double(t.opened))
            for (m, v) in rates { row += cell(ReportFormatter.percent(v), "\(p).\(m)", v) }
            for (m, v) in medians { row += cell(ReportFormatter.span(v), "\(p).\(m)", v) }
            row += cell("\(t.open)", "\(p).open", Double(t.open)) + cell("\(t.overdue)", "\(p).overdue", Double(t.overdue))
            h += row + "</tr>\n"
        }
        return h + "</table>\n"
    }
}

extension ReportCSV {
    /// One row per case figure: scope `cases.all`, `cases.service`, `cases.month` or
    /// `cases.handler`; reasons and root causes as metrics `reasons.KEY` and `rootCauses.KEY`.
    static func caseRows(_ report: Report, _ add: (String, String, String, String, Double?) -> Void) {
        let f = report.caseFigures
        let names = Dictionary(report.services.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func tally(_ scope: String, _ t: CaseTally, name: String) {
            let figures: [(String, Double?)] = [
                ("opened", Double(t.opened)), ("replied", Double(t.replied)), ("repliedInTime", Double(t.repliedInTime)),
                ("resolved", Double(t.resolved)), ("resolvedInTime", Double(t.resolvedInTime)), ("closed", Double(t.closed)),
                ("closedAfterReopening", Double(t.closedAfterReopening)), ("verdicts", Double(t.verdicts)),
                ("satisfied", Double(t.satisfied)), ("open", Double(t.open)), ("overdue", Double(t.overdue)),
                ("repliedInTimeRate", t.repliedInTimeRate), ("resolvedInTimeRate", t.resolvedInTimeRate),
                ("reopenedRate", t.reopenedRate), ("satisfactionRate", t.satisfactionRate),
                ("medianSecondsToFirstReply", t.medianSecondsToFirstReply), ("medianSecondsToResolution", t.medianSecondsToResolution),
            ]
            for (m, v) in figures { add(scope, t.id, name, m, v) }
            for k in CaseFigures.keys(t.reasons) { add(scope, t.id, name, "reasons.\(k)", Double(t.reasons[k]!)) }
            for k in CaseFigures.keys(t.rootCauses) { add(scope, t.id, name, "rootCauses.\(k)", Double(t.rootCauses[k]!)) }
        }
        tally("cases.all", f.all, name: "")
        for t in f.byService { tally("cases.service", t, name: names[t.id] ?? t.id) }
        for t in f.byMonth { tally("cases.month", t, name: "") }
        for t in f.byHandler { tally("cases.handler", t, name: "") }
    }
}
