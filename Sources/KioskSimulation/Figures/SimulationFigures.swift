import Foundation
import KioskCore

/// What one run of a scenario measured (one seed, or several pooled).
public struct SimulationFigures: Codable, Equatable, Sendable {
    /// The measured business days (warm-up days are not counted).
    public var days: [String]
    public var totals: Totals
    /// Per estimator, on the same trace, in `WaitEstimators.all` order.
    public var estimators: [EstimatorFigures]
    /// Per counter, share of each hour of the day spent with a resident (call to finish or
    /// no-show), averaged over the measured days.
    public var utilisation: [CounterUtilisation]

    public struct Totals: Codable, Equatable, Sendable {
        public var tickets = 0
        public var served = 0
        public var noShows = 0
        /// Tickets never called by the end of their day.
        public var walkOuts = 0
        public init() {}
        mutating func add(_ o: Totals) { tickets += o.tickets; served += o.served; noShows += o.noShows; walkOuts += o.walkOuts }
    }

    public struct EstimatorFigures: Codable, Equatable, Sendable {
        public var name: String
        /// True for the kiosk's configured estimator (the one whose estimates were stored).
        public var configured: Bool
        public var figures: EstimateAccuracy
    }

    public struct CounterUtilisation: Codable, Equatable, Sendable {
        public var counter: Int
        public var hours: [HourShare]
    }

    public struct HourShare: Codable, Equatable, Sendable {
        public var hour: Int
        public var busy: Double
    }
}

/// The running sums behind `SimulationFigures`: per estimator an `EstimateAccuracy.Tally`, busy
/// seconds per counter and hour. Tallies of several seeds merge into the pooled figures.
struct FigureTally {
    var days: [String] = []
    var totals = SimulationFigures.Totals()
    var names: [String]
    var configured: Int
    var tallies: [EstimateAccuracy.Tally]
    /// counter → hour → busy seconds.
    var busy: [Int: [Double]] = [:]
    var hours: ClosedRange<Int>

    init(names: [String], configured: Int, hours: ClosedRange<Int>) {
        self.names = names; self.configured = configured; self.hours = hours
        tallies = names.map { _ in EstimateAccuracy.Tally() }
    }

    mutating func addBusy(counter: Int, from: Double, to: Double) {
        var row = busy[counter] ?? [Double](repeating: 0, count: 25)
        var t = from
        while t < to {
            let hour = min(Int(t / 3600), 24)
            let end = min(to, Double(hour + 1) * 3600)
            row[hour] += end - t
            t = end
        }
        busy[counter] = row
    }

    mutating func merge(_ other: FigureTally) {
        days += other.days
        totals.add(other.totals)
        for i in tallies.indices { tallies[i].merge(other.tallies[i]) }
        for (c, row) in other.busy {
            var mine = busy[c] ?? [Double](repeating: 0, count: 25)
            for h in row.indices { mine[h] += row[h] }
            busy[c] = mine
        }
    }

    var figures: SimulationFigures {
        let dayCount = Double(max(days.count, 1))
        return SimulationFigures(
            days: days, totals: totals,
            estimators: names.indices.map { .init(name: names[$0], configured: $0 == configured, figures: tallies[$0].figures) },
            utilisation: busy.keys.sorted().map { c in
                .init(counter: c, hours: hours.map { .init(hour: $0, busy: busy[c]![$0] / 3600 / dayCount) })
            })
    }
}
