#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem

/// Bar charts as inline SVG, generated here: no JavaScript, no fonts or files to fetch, so the
/// page opens anywhere, prints, and can be mailed. Every drawn number carries `data-metric` (its
/// path in `kioskctl report --json`) and `data-value` (the exact figure) so tests can check it.
public enum SVGChart {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double?
        /// What is written above the bar ("7:30", "87.5%").
        public var display: String
        /// JSON path of the figure ("hours[9].averageWaitSeconds").
        public var metric: String
        public var colour: String
        /// The figure as `report --json` has it, when the bar draws it scaled (a rate as percent).
        public var figure: Double?
        public init(label: String, value: Double?, display: String, metric: String, colour: String = "#2f6fb0", figure: Double?? = nil) {
            self.label = label; self.value = value; self.display = display; self.metric = metric; self.colour = colour
            self.figure = figure ?? value
        }
    }

    /// One segment of a stacked bar.
    public struct Segment: Sendable {
        public var value: Int
        public var colour: String
        public var label: String
        public init(value: Int, colour: String, label: String) { self.value = value; self.colour = colour; self.label = label }
    }

    /// Vertical bars with an optional dashed target line (e.g. the 10-minute wait target).
    public static func bars(_ bars: [Bar], maximum: Double, target: (value: Double, label: String)? = nil,
                            title: String, width: Int = 760, height: Int = 240) -> String {
        let left = 40.0, right = 10.0, top = 24.0, bottom = 36.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let top1 = max(maximum, target?.value ?? 0, 1e-9) * 1.1
        let step = min(110, plotW / Double(max(1, bars.count)))
        var s = svgOpen(width, height, title)
        s += line(left, top + plotH, left + plotW, top + plotH, "#888")
        for (i, b) in bars.enumerated() {
            let x = left + Double(i) * step
            let cx = x + step / 2
            if let v = b.value {
                let h = plotH * v / top1
                s += "<rect x=\"\(f(x + step * 0.15))\" y=\"\(f(top + plotH - h))\" width=\"\(f(step * 0.7))\" height=\"\(f(h))\" fill=\"\(b.colour)\"><title>\(esc(b.label)): \(esc(b.display))</title></rect>"
                s += text(cx, top + plotH - h - 4, b.display, size: 10, anchor: "middle", metric: b.metric, value: b.figure)
            } else {
                s += text(cx, top + plotH - 4, "—", size: 10, anchor: "middle", colour: "#999")
            }
            s += text(cx, top + plotH + 14, b.label, size: 10, anchor: "middle")
        }
        if let target {
            let y = top + plotH - plotH * target.value / top1
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            s += text(left + plotW, y - 4, target.label, size: 11, anchor: "end", colour: "#c0392b")
        }
        return s + "</svg>"
    }

    /// Horizontal stacked bars (one row per service or staff member), e.g. the four rating levels.
    public static func stacked(_ rows: [(label: String, segments: [Segment])], title: String, width: Int = 760) -> String {
        let rowH = 26.0, left = 150.0, right = 60.0, top = 10.0
        let height = Int(top * 2 + rowH * Double(max(1, rows.count)))
        let plotW = Double(width) - left - right
        var s = svgOpen(width, height, title)
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowH
            s += text(left - 8, y + rowH / 2 + 4, row.label, size: 12, anchor: "end")
            let total = row.segments.map(\.value).reduce(0, +)
            var x = left
            for seg in row.segments where seg.value > 0 {
                let w = plotW * Double(seg.value) / Double(max(1, total))
                s += "<rect x=\"\(f(x))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"\(seg.colour)\"><title>\(esc(seg.label)): \(seg.value)</title></rect>"
                if w > 18 { s += text(x + w / 2, y + rowH / 2 + 4, String(seg.value), size: 11, anchor: "middle", colour: "#fff") }
                x += w
            }
            s += text(left + plotW + 6, y + rowH / 2 + 4, total == 0 ? "—" : "n=\(total)", size: 11, anchor: "start", colour: "#555")
        }
        return s + "</svg>"
    }

    static func svgOpen(_ w: Int, _ h: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" aria-label=\"\(esc(title))\" font-family=\"sans-serif\"><title>\(esc(title))</title>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ colour: String) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(colour)\"/>"
    }

    static func text(_ x: Double, _ y: Double, _ t: String, size: Int, anchor: String, colour: String = "#222", metric: String? = nil, value: Double? = nil) -> String {
        var attributes = ""
        if let metric, let value { attributes = " data-metric=\"\(esc(metric))\" data-value=\"\(ReportHTML.raw(value))\"" }
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(colour)\"\(attributes)>\(esc(t))</text>"
    }

    static func f(_ v: Double) -> String { String(cFormat: "%.1f", v) }

    /// Escapes text for HTML and SVG.
    public static func esc(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
    }
}
