#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How well the waits promised on tickets came true: the one definition of the accuracy figures,
/// used by `kioskctl report` (per service and per day) and by `kiosk-sim` (per estimator).
///
/// Counted: each ticket first called that had an estimate stored when it was issued; its wait is
/// first call − issue. Tickets never called (walk-outs) have no wait and are not counted.
/// - promise kept: wait ≤ high minutes (called by the end of the range shown);
/// - inside the range: low ≤ wait ≤ high minutes;
/// - error = wait − point, in minutes (point: `estimateSeconds`; for old events without it the
///   middle of the range); MAE is the mean |error|, bias the mean error (positive: residents
///   waited longer than estimated);
/// - under-predicted by more than 5 minutes: error > 5;
/// - range width = high − low minutes; its median.
///
/// Rates are 0…1 and nil (JSON `null`) when nothing was counted, like the rest of `Report`.
public struct EstimateAccuracy: Codable, Equatable, Sendable {
    /// Tickets counted (first called, with an estimate stored).
    public var count: Int
    public var promiseKept: Double?
    public var insideRange: Double?
    /// Mean absolute error of the point estimate, minutes.
    public var meanAbsoluteError: Double?
    /// Mean error of the point estimate (wait − point), minutes.
    public var bias: Double?
    /// Share of tickets that waited more than 5 minutes longer than the point estimate.
    public var underPredictedOver5: Double?
    /// Median of high − low, minutes (the mean of the two middle values for an even count).
    public var medianRangeWidth: Double?

    /// Minutes an error must pass to count as an under-prediction.
    public static let underPredictionMinutes = 5.0

    public init(count: Int = 0, promiseKept: Double? = nil, insideRange: Double? = nil, meanAbsoluteError: Double? = nil,
                bias: Double? = nil, underPredictedOver5: Double? = nil, medianRangeWidth: Double? = nil) {
        self.count = count; self.promiseKept = promiseKept; self.insideRange = insideRange
        self.meanAbsoluteError = meanAbsoluteError; self.bias = bias; self.underPredictedOver5 = underPredictedOver5
        self.medianRangeWidth = medianRangeWidth
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(promiseKept, forKey: .promiseKept)
        try c.encode(insideRange, forKey: .insideRange)
        try c.encode(meanAbsoluteError, forKey: .meanAbsoluteError)
        try c.encode(bias, forKey: .bias)
        try c.encode(underPredictedOver5, forKey: .underPredictedOver5)
        try c.encode(medianRangeWidth, forKey: .medianRangeWidth)
    }

    /// The running fold: add tickets in any order (the figures are sums and a median), merge
    /// folds of several days or seeds, read `figures`. Codable: it is part of the stored per-day
    /// report fold (`ReportDayFold`).
    ///
    /// The errors are summed in seconds and the range widths kept as counts per width, so with
    /// whole-second waits (as reports take them) every sum is a whole number and folds merged
    /// in any order give exactly the same figures.
    public struct Tally: Codable, Equatable, Sendable {
        public private(set) var count = 0
        var kept = 0
        var inside = 0
        /// Σ |wait − point| and Σ (wait − point), seconds.
        var absoluteErrorSeconds = 0.0
        var errorSeconds = 0.0
        var under = 0
        /// Range width (high − low minutes) → tickets.
        var widths: [Int: Int] = [:]

        public init() {}

        init(count: Int, kept: Int, inside: Int, absoluteErrorSeconds: Double, errorSeconds: Double, under: Int,
             widths: [Int: Int]) {
            self.count = count; self.kept = kept; self.inside = inside; self.absoluteErrorSeconds = absoluteErrorSeconds
            self.errorSeconds = errorSeconds; self.under = under; self.widths = widths
        }

        /// One ticket: the estimate stored when it was issued (`estimateLow`, `estimateHigh` in
        /// minutes, `estimateSeconds` the point if stored) and its wait until the first call.
        public mutating func add(low: Int, high: Int, estimateSeconds: Int?, waitSeconds: Double) {
            let point = estimateSeconds.map(Double.init) ?? Double(low + high) * 30
            let error = waitSeconds - point
            count += 1
            if waitSeconds <= Double(high * 60) {
                kept += 1
                if waitSeconds >= Double(low * 60) { inside += 1 }
            }
            absoluteErrorSeconds += abs(error)
            errorSeconds += error
            if error > EstimateAccuracy.underPredictionMinutes * 60 { under += 1 }
            widths[high - low, default: 0] += 1
        }

        /// Both folds together (pooled figures over days, services or seeds).
        public mutating func merge(_ other: Tally) {
            count += other.count; kept += other.kept; inside += other.inside
            absoluteErrorSeconds += other.absoluteErrorSeconds; errorSeconds += other.errorSeconds; under += other.under
            widths.merge(other.widths, uniquingKeysWith: +)
        }

        public var figures: EstimateAccuracy {
            guard count > 0 else { return EstimateAccuracy() }
            let n = Double(count)
            // The width at 0-based rank i of the ascending widths.
            let sorted = widths.sorted { $0.key < $1.key }
            func width(at i: Int) -> Int {
                var seen = 0
                for (w, c) in sorted {
                    seen += c
                    if i < seen { return w }
                }
                return sorted.last?.key ?? 0
            }
            let middle = count / 2
            let median = count % 2 == 1 ? Double(width(at: middle)) : Double(width(at: middle - 1) + width(at: middle)) / 2
            return EstimateAccuracy(
                count: count, promiseKept: Double(kept) / n, insideRange: Double(inside) / n,
                meanAbsoluteError: absoluteErrorSeconds / 60 / n, bias: errorSeconds / 60 / n,
                underPredictedOver5: Double(under) / n, medianRangeWidth: median)
        }
    }
}

/// The estimate accuracy of the tickets of one business day.
public struct DayEstimateAccuracy: Codable, Equatable, Sendable {
    public var day: String
    public var estimates: EstimateAccuracy
    public init(day: String, estimates: EstimateAccuracy) { self.day = day; self.estimates = estimates }
}
