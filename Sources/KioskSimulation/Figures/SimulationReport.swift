import Foundation
import KioskCore

/// Everything `kiosk-sim` prints: per seed and pooled over the seeds.
public struct SimulationReport: Codable, Sendable {
    public var scenario: String
    /// The estimator whose estimates the kiosk showed and stored (`estimator =`).
    public var configuredEstimator: String
    /// Offered load at the busiest moment: arrivals × mean time a counter is taken per visit
    /// (walk-up, staff reaction and service) ÷ counters, from the scenario's own figures.
    public var peakLoad: Double
    public var seeds: [Seed]
    public var pooled: SimulationFigures?

    public struct Seed: Codable, Sendable {
        public var seed: UInt64
        public var stateDirectory: String
        public var figures: SimulationFigures
        /// Every ticket residents were handed, warm-up days too, by business day (JSON only:
        /// the smoke test checks each is stored).
        public var issued: [IssuedTickets]
    }

    public init(scenario: Scenario, configuredEstimator: String, runs: [SeedRun]) {
        self.scenario = scenario.name
        self.configuredEstimator = configuredEstimator
        peakLoad = SimulationReport.peakLoad(scenario)
        seeds = runs.map { Seed(seed: $0.seed, stateDirectory: $0.stateDirectory, figures: $0.figures, issued: $0.issued) }
        pooled = Simulation.pooled(runs)
    }

    static func peakLoad(_ s: Scenario) -> Double {
        let total = s.services.map(\.share).reduce(0, +)
        guard total > 0, !s.counters.isEmpty else { return 0 }
        let visit = s.services.map { $0.share / total * $0.time.mean }.reduce(0, +) + s.walkUp.mean + 2 * s.reaction.mean
        return s.arrivals.maximum * visit / 3600 / Double(s.counters.count)
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text + "\n"
    }

    /// Tables for a terminal: the estimators per seed and pooled, then totals and utilisation.
    public func text() -> String {
        var out: [String] = []
        let days = seeds.first?.figures.days ?? []
        out.append("Scenario: \(scenario) — \(seeds.count) seed(s) × \(days.count) day(s) (\(days.first ?? "")…\(days.last ?? ""))")
        out.append("Configured estimator: \(configuredEstimator); peak offered load \(percent(peakLoad)) of the counters' capacity")
        out.append("")
        out.append("Estimate accuracy (tickets called; wait = first call − issue)")
        var rows: [[String]] = []
        func add(_ label: String, _ f: SimulationFigures) {
            for e in f.estimators {
                let a = e.figures
                rows.append([label, e.name + (e.configured ? " *" : ""), "\(a.count)", percent(a.promiseKept), percent(a.insideRange),
                             minutes(a.meanAbsoluteError), minutes(a.bias), percent(a.underPredictedOver5), minutes(a.medianRangeWidth)])
            }
        }
        for s in seeds { add("seed \(s.seed)", s.figures) }
        if seeds.count > 1, let pooled { add("pooled", pooled) }
        out += table(["Seeds", "Estimator", "Tickets", "Promise kept", "In range", "MAE min", "Bias min", "Under >5 min", "Median width"], rows)
        out.append("  (* the configured estimator: its estimates were shown and stored on the tickets)")
        out.append("")
        out.append("Totals")
        out += table(["Seeds", "Tickets", "Served", "No-shows", "Walk-outs"],
                     seeds.map { ["seed \($0.seed)", "\($0.figures.totals.tickets)", "\($0.figures.totals.served)", "\($0.figures.totals.noShows)", "\($0.figures.totals.walkOuts)"] })
        if let pooled, let first = pooled.utilisation.first {
            out.append("")
            out.append("Utilisation per hour (share of the hour with a resident, all seeds and days)")
            out += table(["Counter"] + first.hours.map { String(format: "%02d", $0.hour) },
                         pooled.utilisation.map { u in ["\(u.counter)"] + u.hours.map { String(format: "%.0f%%", $0.busy * 100) } })
        }
        out.append("")
        out.append("State folders (kioskctl --state-dir DIR --config DIR/kiosk.conf report):")
        for s in seeds { out.append("  seed \(s.seed): \(s.stateDirectory)") }
        return out.joined(separator: "\n") + "\n"
    }

    func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
    func minutes(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "—" }

    func table(_ header: [String], _ rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            "  " + cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i < 2 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        return [line(header), "  " + String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))] + rows.map(line)
    }
}
