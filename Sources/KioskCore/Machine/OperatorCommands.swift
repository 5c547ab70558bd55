#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What operators and IT change from outside the counters: a counter opened, paused or closed
/// from the shell (`kioskctl counter`), the weather (`kioskctl weather`, the centre, key 5).
extension KioskMachine {
    /// Opens, pauses or closes a counter for an operator; refuses (with the reason) what staff
    /// must do at the counter themselves: logging in, finishing the current ticket.
    mutating func operatorCommand(_ command: CounterCommand, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let counter = state.counters[n] else {
            out.refusal = "counter \(n) is not in the configuration (counters: \(state.counters.keys.sorted().map(String.init).joined(separator: ", ")))"
            return
        }
        switch command {
        case .open:
            if counter.status == .open { out.refusal = "counter \(n) is already open"; return }
            guard counter.staff != nil else {
                out.refusal = "no staff is logged in at counter \(n); staff log in at the counter (0, staff number, PIN), which opens it"
                return
            }
            record(event(.counterOpened, now, counter: n), into: &out)
        case .pause:
            guard counter.status == .open else { out.refusal = "counter \(n) is \(counter.status.rawValue), not open"; return }
            record(event(.counterPaused, now, counter: n), into: &out)
        case .close:
            if let label = counter.current {
                out.refusal = "counter \(n) still has ticket \(label); finish it at the counter first"
                return
            }
            if counter.status == .closed && counter.staff == nil { out.refusal = "counter \(n) is already closed"; return }
            if counter.staff != nil { record(event(.staffLoggedOut, now, counter: n), into: &out) }
            record(event(.counterClosed, now, counter: n), into: &out)
            counterUI[n] = CounterUI()
        }
    }

    /// Sets the weather the farewell uses; from a counter (`counter`: who) always a change.
    mutating func setWeather(_ weather: Weather, counter: Int?, now: Date, into out: inout KioskOutput) {
        guard counter != nil || weather != state.weather else { return }
        var e = counter.map { event(.weatherSet, now, counter: $0) } ?? KioskEvent(.weatherSet, at: now, day: state.day)
        e.weather = weather
        record(e, into: &out)
    }
}
