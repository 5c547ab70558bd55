import Foundation
import KioskCore

/// Residents arriving through the day: a non-homogeneous Poisson process whose rate follows the
/// scenario's `RateProfile`, drawn by thinning (Lewis & Shedler): candidates come at the peak
/// rate and each is kept with probability rate(t) ÷ peak, which gives exactly the varying rate.
public enum ArrivalProcess {
    /// Arrival times, seconds after midnight, in `start..<end`, ascending.
    public static func times(_ rate: RateProfile, from start: Int, to end: Int, random: inout SplitMix64) -> [Double] {
        let peak = rate.maximum
        guard peak > 0, end > start else { return [] }
        var times: [Double] = []
        var t = Double(start)
        while true {
            t += -log(1 - random.unit()) * 3600 / peak
            if t >= Double(end) { break }
            if random.unit() * peak < rate.perHour(at: t) { times.append(t) }
        }
        return times
    }
}
