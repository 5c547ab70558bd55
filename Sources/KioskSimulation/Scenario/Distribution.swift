import Foundation
import KioskCore

/// A duration drawn at random, in seconds: service times, walking up, staff reactions.
public enum Distribution: Equatable, Sendable, CustomStringConvertible {
    case fixed(Double)
    case uniform(low: Double, high: Double)
    case exponential(mean: Double)
    /// Median and spread σ of the logarithm: a long right tail, like real visits (σ 0.5: the
    /// middle 80% lie between 0.53× and 1.9× the median).
    case lognormal(median: Double, spread: Double)

    public var mean: Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let low, let high): return (low + high) / 2
        case .exponential(let mean): return mean
        case .lognormal(let median, let spread): return median * exp(spread * spread / 2)
        }
    }

    /// One draw (never negative).
    public func sample(_ random: inout SplitMix64) -> Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let low, let high): return low + (high - low) * random.unit()
        case .exponential(let mean): return -mean * log(1 - random.unit())
        case .lognormal(let median, let spread): return median * exp(spread * Distribution.standardNormal(&random))
        }
    }

    /// Box–Muller.
    static func standardNormal(_ random: inout SplitMix64) -> Double {
        let u = 1 - random.unit()
        let v = random.unit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    public var description: String {
        switch self {
        case .fixed(let v): return "fixed \(Distribution.seconds(v))"
        case .uniform(let low, let high): return "uniform \(Distribution.seconds(low)) \(Distribution.seconds(high))"
        case .exponential(let mean): return "exponential \(Distribution.seconds(mean))"
        case .lognormal(let median, let spread): return "lognormal \(Distribution.seconds(median)) \(spread)"
        }
    }

    static func seconds(_ v: Double) -> String {
        v.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(v / 60))m" : "\(v == v.rounded() ? String(Int(v)) : String(v))s"
    }

    /// "lognormal 6m 0.5", "uniform 15s 45s", "exponential 3m", "fixed 90s" (a bare number is
    /// seconds; m and h suffixes are minutes and hours); nil with what is wrong.
    static func parse(_ text: String) -> Result<Distribution, Problem> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let forms = "write 'lognormal MEDIAN SPREAD' (e.g. lognormal 6m 0.5), 'uniform LOW HIGH' (uniform 15s 45s), 'exponential MEAN' or 'fixed DURATION'"
        guard let kind = words.first else { return .failure(Problem("no distribution given; \(forms)")) }
        func duration(_ i: Int) -> Double? { i < words.count ? parseDuration(words[i]) : nil }
        switch (kind, words.count) {
        case ("fixed", 2):
            if let v = duration(1) { return .success(.fixed(v)) }
        case ("uniform", 3):
            if let a = duration(1), let b = duration(2) {
                return a <= b ? .success(.uniform(low: a, high: b)) : .failure(Problem("uniform needs LOW ≤ HIGH; write e.g. uniform 15s 45s"))
            }
        case ("exponential", 2):
            if let v = duration(1), v > 0 { return .success(.exponential(mean: v)) }
        case ("lognormal", 3):
            if let m = duration(1), m > 0, let s = Double(words[2]), s >= 0, s <= 3 { return .success(.lognormal(median: m, spread: s)) }
            return .failure(Problem("lognormal needs a median duration above 0 and a spread between 0 and 3; write e.g. lognormal 6m 0.5"))
        default:
            return .failure(Problem("'\(text)' is not a distribution; \(forms)"))
        }
        return .failure(Problem("'\(text)' has a duration that is not a number with s, m or h (e.g. 90s, 6m, 1.5m); \(forms)"))
    }

    /// Why a distribution could not be read, and how to write it.
    struct Problem: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// "90s", "90", "6m", "1.5m", "1h" → seconds; nil otherwise (or negative).
    static func parseDuration(_ text: String) -> Double? {
        var number = Substring(text)
        var unit = 1.0
        switch text.last {
        case "s": number = number.dropLast()
        case "m": number = number.dropLast(); unit = 60
        case "h": number = number.dropLast(); unit = 3600
        default: break
        }
        guard let v = Double(number), v >= 0, v.isFinite else { return nil }
        return v * unit
    }
}
