import Foundation
import KioskCore

/// The staff member at one counter, as the simulation sees them: where they are in a visit, and
/// when they act next. They use the counter keypad like a person (`CounterKeys`): log in, call
/// the next ticket (acknowledging a care alert for a long wait first, if their counter shows one),
/// recall and mark no-shows, start and finish visits, pause for their breaks, and log out when
/// the lobby has closed and nobody they serve is waiting.
struct CounterStaff {
    enum Phase: Equatable {
        case loggedOut
        case idle
        /// A ticket called; `recalls` made so far (a resident who is not there).
        case called(label: String, resident: Int, recalls: Int)
        case serving(label: String, resident: Int)
        case paused(until: Int)
        case done
    }

    let plan: CounterPlan
    var phase: Phase = .loggedOut
    /// The pending wake-up (time of day) and its token: a later `wake` replaces it.
    var wakeAt: Int?
    var token = 0
    /// Breaks taken so far (`plan.pauses` in order).
    var pausesTaken = 0

    init(plan: CounterPlan) { self.plan = plan }

    /// The next break not yet taken, skipping breaks already over at `now`.
    mutating func nextPause(now: Int) -> ClosedRange<Int>? {
        while pausesTaken < plan.pauses.count, plan.pauses[pausesTaken].upperBound <= now { pausesTaken += 1 }
        return pausesTaken < plan.pauses.count ? plan.pauses[pausesTaken] : nil
    }

    /// The key of an action in the counter keypad's table.
    static func key(_ action: CounterAction) -> Key {
        CounterKeys.loggedIn.first { $0.action == action }!.key
    }

    /// The keys of a login: the login key, staff number, Enter, PIN, Enter.
    var loginKeys: [Key] {
        let staff: [Key] = plan.staff.compactMap { $0.wholeNumberValue }.map { Key.digit($0) }
        let pin: [Key] = plan.pin.compactMap { $0.wholeNumberValue }.map { Key.digit($0) }
        return [CounterKeys.logIn] + staff + [Key.enter] + pin + [Key.enter]
    }
}

/// A small binary heap of things to do, earliest first (ties in the order they were added).
struct Agenda<Item> {
    private var heap: [(time: Int, seq: Int, item: Item)] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int? { heap.first?.time }

    mutating func add(_ item: Item, at time: Int) {
        seq += 1
        heap.append((time, seq, item))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard before(i, parent) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func removeFirst() -> (time: Int, item: Item)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, before(l, m) { m = l }
            if r < heap.count, before(r, m) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.time, top.item)
    }

    private func before(_ a: Int, _ b: Int) -> Bool { (heap[a].time, heap[a].seq) < (heap[b].time, heap[b].seq) }
}
