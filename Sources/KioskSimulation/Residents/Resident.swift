import Foundation
import KioskCore

/// One resident of a simulated day, everything about them drawn when the day is planned (so
/// the same seed gives the same residents, whatever the estimators say).
public struct Resident: Equatable, Sendable {
    /// Arrival at the lobby, whole seconds after local midnight.
    public var arrival: Int
    public var service: String
    public var priority: Bool
    /// Gone when called: staff recall, then mark a no-show.
    public var noShow: Bool
    /// Seconds from the call until they reach the counter.
    public var walkUp: Int
    /// Seconds from start to finish of their visit.
    public var serviceTime: Int
    /// The level they press on the rating pad (1…4), nil if they walk away without rating.
    public var rating: Int?
    /// Seconds after the finish until they press it.
    public var ratingDelay: Int
    /// The reason key (1…) they press after a low rating.
    public var reason: Int

    /// The day's residents, in arrival order. Two arrivals in the same second keep both (the
    /// second takes its ticket a second later).
    public static func day(_ scenario: Scenario, seed: UInt64, day: Int) -> [Resident] {
        var arrivals = SplitMix64(seed: SplitMix64.hash("arrivals/\(seed)/\(day)"))
        var draws = SplitMix64(seed: SplitMix64.hash("residents/\(seed)/\(day)"))
        let times = ArrivalProcess.times(scenario.arrivals, from: scenario.opens, to: scenario.closes, random: &arrivals)
        let shares = scenario.services.map(\.share)
        var residents: [Resident] = []
        var last = Int.min
        for t in times {
            let second = max(Int(t), last + 1)
            last = second
            let plan = scenario.services[pick(shares, &draws)]
            let rates = draws.unit() < scenario.ratingShare
            residents.append(Resident(
                arrival: second, service: plan.id, priority: draws.unit() < scenario.priorityShare,
                noShow: draws.unit() < scenario.noShowShare, walkUp: max(1, Int(scenario.walkUp.sample(&draws).rounded())),
                serviceTime: max(10, Int(plan.time.sample(&draws).rounded())),
                rating: rates ? pick(scenario.ratingWeights, &draws) + 1 : nil, ratingDelay: 2 + Int(draws.unit() * 10),
                reason: 1 + Int(draws.unit() * 6)))
        }
        return residents
    }

    /// An index drawn with probability proportional to its weight.
    static func pick(_ weights: [Double], _ random: inout SplitMix64) -> Int {
        let total = weights.reduce(0, +)
        var x = random.unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}
