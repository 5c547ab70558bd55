#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Turns a `Report` into text for `kioskctl report` or JSON for tools.
public enum ReportFormatter {
    /// A plain-text report for a terminal: English labels, service names as configured,
    /// percentages with one decimal, durations as minutes:seconds, "—" for a missing value.
    /// Reasons and root causes (catalog keys such as `reason.wait`) show as `catalog`'s labels
    /// ("Long wait"; the configured language's), the key itself when the catalog lacks it.
    public static func text(_ report: Report, catalog: Catalog? = nil) -> String {
        let label = { (key: String) in catalog?.entries[key] ?? key }
        var out: [String] = []
        out.append("Service report — \(report.site) (\(report.kiosk))")
        let period: String
        switch report.days.count {
        case 0: period = "no events"
        case 1: period = report.days[0]
        default: period = "\(report.days.first!) to \(report.days.last!) (\(report.days.count) days)"
        }
        out.append("Period: \(period)    Generated: \(localTime(report.generatedAt, report.timeZone)) \(report.timeZone)")
        out.append("")

        let rows = report.services + [report.overall]
        out.append("Queue")
        out += table(
            header: ["Service", "Issued", "Priority", "Called", "Served", "No-show", "Walk-out", "Transfer",
                     "Avg wait", "P90 wait", "In target", "Promise kept", "No-show rate"],
            rows: rows.map { s in
                [s.name, "\(s.issued)", "\(s.priority)", "\(s.called)", "\(s.served)", "\(s.noShows)",
                 "\(s.walkOuts)", "\(s.transfers)", duration(s.wait.average), duration(s.wait.p90),
                 percent(s.withinTarget), percent(s.promiseKept), percent(s.noShowRate)]
            },
            totalsLast: true)
        out.append("")
        out += estimateAccuracy(report, rows: rows)

        out.append("Service and satisfaction")
        out += table(
            header: ["Service", "Avg service", "P90 service", "Ratings", "Index", "CSAT", "Response",
                     "Not rated", "Misuse"],
            rows: rows.map { s in
                [s.name, duration(s.serviceTime.average), duration(s.serviceTime.p90), "\(s.ratings)",
                 decimal(s.satisfactionIndex), percent(s.csat), percent(s.responseRate), "\(s.notRated)", "\(s.misuse)"]
            },
            totalsLast: true)

        let withReasons = rows.filter { !$0.reasons.isEmpty }
        if !withReasons.isEmpty {
            out.append("")
            out.append("Follow-up reasons")
            out += table(
                header: ["Service", "Reasons"],
                rows: withReasons.map { s in
                    [s.name, s.reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                        .map { "\(label($0.key)) \($0.value)" }.joined(separator: ", ")]
                },
                totalsLast: withReasons.last?.id == report.overall.id, leftColumns: [0, 1])
        }
        out.append("")

        out.append("Staff")
        if report.staff.isEmpty {
            out.append("  (no services finished)")
        } else {
            out += table(
                header: ["Staff", "Name", "Served", "Avg service", "Ratings", "Index", "CSAT", "Response"],
                rows: report.staff.map { s in
                    [s.number, s.name ?? "—", "\(s.served)", duration(s.averageServiceSeconds), "\(s.ratings)",
                     decimal(s.satisfactionIndex), percent(s.csat), percent(s.responseRate)]
                },
                totalsLast: false)
        }
        out.append("")

        out.append("Care alerts")
        out += table(
            header: ["Predicted", "Raised", "Acknowledged", "Avg to acknowledge"],
            rows: [["\(report.care.predicted)", "\(report.care.raised)", "\(report.care.acknowledged)",
                    duration(report.care.averageMinutesToAcknowledge.map { $0 * 60 })]],
            totalsLast: false, firstLeft: false)
        out.append("")

        out.append("Cases")
        let c = report.cases
        out += table(
            header: ["Opened", "Answered", "In time", "Overdue", "Answered %", "In time %"],
            rows: [["\(c.opened)", "\(c.answered)", "\(c.answeredInTime)", "\(c.overdue)",
                    percent(c.shareAnswered), percent(c.shareAnsweredInTime)]],
            totalsLast: false, firstLeft: false)
        out += caseFigures(report, label: label)
        out.append("")

        out.append("Busiest hours")
        let open = report.hours.filter { $0.issued > 0 }
        if open.isEmpty {
            out.append("  (no tickets issued)")
        } else {
            let most = open.map(\.issued).max() ?? 1
            out += table(
                header: ["Hour", "Issued", "Avg wait", ""],
                rows: open.map { h in
                    [String(cFormat: "%02d:00", h.hour), "\(h.issued)", duration(h.averageWaitSeconds),
                     String(repeating: "#", count: max(1, h.issued * 30 / max(most, 1)))]
                },
                totalsLast: false, leftColumns: [0, 3])
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The case figures (`CaseFigures`): overall, then per service, month and handler, and the
    /// cases by reason and by root cause.
    static func caseFigures(_ report: Report, label: (String) -> String = { $0 }) -> [String] {
        let f = report.caseFigures
        guard f.all.opened > 0 else { return [] }
        let names = Dictionary(report.services.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let header = ["", "Opened", "Reply in time", "Resolved in time", "Reopened", "Satisfied", "To reply",
                      "To resolve", "Open", "Overdue now"]
        func row(_ name: String, _ t: CaseTally) -> [String] {
            [name, "\(t.opened)", percent(t.repliedInTimeRate), percent(t.resolvedInTimeRate), percent(t.reopenedRate),
             percent(t.satisfactionRate), span(t.medianSecondsToFirstReply), span(t.medianSecondsToResolution),
             "\(t.open)", "\(t.overdue)"]
        }
        func counts(_ c: [String: Int]) -> String {
            c.isEmpty ? "—" : CaseFigures.keys(c).map { "\(label($0)) \(c[$0]!)" }.joined(separator: ", ")
        }
        var out = ["", "Case figures (medians: time to first reply and to resolution)"]
        let breakdowns: [(String, [CaseTally], (String) -> String)] = [
            ("Service", f.byService, { names[$0] ?? $0 }), ("Month", f.byMonth, { $0 }), ("Handler", f.byHandler, { $0 }),
        ]
        for (title, groups, name) in breakdowns {
            guard !groups.isEmpty || title == "Service" else { continue }
            var h = header
            h[0] = title
            out += table(header: h, rows: groups.map { row(name($0.id), $0) } + [row("All", f.all)], totalsLast: true)
            out.append("")
        }
        out.append("Cases by reason and root cause")
        out += table(
            header: ["", "Reasons", "Root causes"],
            rows: f.byService.map { [names[$0.id] ?? $0.id, counts($0.reasons), counts($0.rootCauses)] }
                + f.byMonth.map { [$0.id, counts($0.reasons), counts($0.rootCauses)] }
                + [["All", counts(f.all.reasons), counts(f.all.rootCauses)]],
            totalsLast: true, leftColumns: [0, 1, 2])
        return out
    }

    /// Estimate accuracy (`EstimateAccuracy`) per service and, over several days, per day:
    /// MAE and bias as minutes:seconds, the range width in minutes.
    static func estimateAccuracy(_ report: Report, rows: [ServiceReport]) -> [String] {
        let header = ["", "Counted", "Promise kept", "In range", "MAE", "Bias", "Under >5 min", "Median width"]
        func row(_ name: String, _ a: EstimateAccuracy) -> [String] {
            [name, "\(a.count)", percent(a.promiseKept), percent(a.insideRange), duration(a.meanAbsoluteError.map { $0 * 60 }),
             duration(a.bias.map { $0 * 60 }), percent(a.underPredictedOver5), a.medianRangeWidth.map { String(cFormat: "%.1f min", $0) } ?? "—"]
        }
        var out = ["Estimate accuracy (tickets called with an estimate; error = wait − estimate)"]
        var h = header
        h[0] = "Service"
        out += table(header: h, rows: rows.map { row($0.name, $0.estimates) }, totalsLast: true)
        if report.estimatesByDay.count > 1 {
            out.append("")
            h[0] = "Day"
            out += table(header: h, rows: report.estimatesByDay.map { row($0.day, $0.estimates) } + [row("All", report.overall.estimates)],
                         totalsLast: true)
        }
        out.append("")
        return out
    }

    /// A longer duration, to the minute: "45m", "6h 05m", "2d 4h"; "—" for none.
    public static func span(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let minutes = Int((seconds / 60).rounded())
        let sign = minutes < 0 ? "-" : ""
        let m = abs(minutes)
        if m < 60 { return "\(sign)\(m)m" }
        if m < 24 * 60 { return sign + String(cFormat: "%dh %02dm", m / 60, m % 60) }
        return "\(sign)\(m / 1440)d \(m % 1440 / 60)h"
    }

    /// Pretty-printed JSON with sorted keys and ISO 8601 times; missing values are `null`.
    public static func json(_ report: Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(report), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return text
    }

    /// The decoder matching `json(_:)`.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    // MARK: Values

    /// "87.5%", or "—".
    public static func percent(_ rate: Double?) -> String {
        guard let rate, rate.isFinite else { return "—" }
        return String(cFormat: "%.1f%%", rate * 100)
    }

    /// Seconds as "m:ss" (rounded to the second), or "—".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let total = Int(seconds.rounded())
        let sign = total < 0 ? "-" : ""
        let value = abs(total)
        return sign + String(cFormat: "%d:%02d", value / 60, value % 60)
    }

    /// One decimal ("72.3"), or "—".
    public static func decimal(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(cFormat: "%.1f", value)
    }

    private static func localTime(_ date: Date, _ zone: String) -> String {
        LocalCalendar(zone: SiteTimeZone(identifier: zone) ?? .utc, dayStartHour: 0).dateTime(date)
    }

    // MARK: Tables

    /// Rows of aligned columns, two-space indent; the first column (or `leftColumns`) left-aligned,
    /// the others right-aligned; a rule under the header and, with `totalsLast`, above the last row.
    private static func table(header: [String], rows: [[String]], totalsLast: Bool, firstLeft: Bool = true,
                              leftColumns: Set<Int>? = nil) -> [String] {
        let left = leftColumns ?? (firstLeft ? [0] : [])
        var widths = header.map(displayWidth)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - displayWidth(cell)))
                return left.contains(i) ? cell + pad : pad + cell
            }
            return ("  " + padded.joined(separator: "  ")).trimmingTrailingSpaces()
        }
        let rule = "  " + String(repeating: "-", count: widths.reduce(0, +) + 2 * max(widths.count - 1, 0))
        var lines = [line(header), rule]
        for (i, row) in rows.enumerated() {
            if totalsLast, i == rows.count - 1, rows.count > 1 { lines.append(rule) }
            lines.append(line(row))
        }
        return lines
    }

    /// Terminal columns of `text`: East Asian wide and fullwidth characters take two.
    static func displayWidth(_ text: String) -> Int {
        text.reduce(0) { sum, ch in
            let wide = ch.unicodeScalars.contains { s in
                switch s.value {
                case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                     0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                     0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: true
                default: false
                }
            }
            return sum + (wide ? 2 : 1)
        }
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
