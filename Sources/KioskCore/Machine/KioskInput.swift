#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which station an input came from.
public enum StationID: Hashable, Sendable, CustomStringConvertible {
    case lobby
    case counter(Int)
    /// The waiting-room board (`role = board`): a wall screen that only shows the calls and
    /// the queue; it has no keypad, and a key said to come from it is ignored.
    case board
    public var description: String {
        switch self {
        case .lobby: return "lobby"
        case .counter(let n): return "counter \(n)"
        case .board: return "board"
        }
    }

    /// Whether people act on this station with keys (the demo's Tab skips the others).
    public var takesKeys: Bool { self != .board }
}

/// Everything the kiosk reacts to. Time always comes in with the input (injected clock), and so
/// does every fact the machine needs from outside: the advice from stored history, the outcome of
/// a print job it asked for. Adapters never reach into the machine; they send inputs.
public enum KioskInput: Sendable {
    /// A key from a station's keypad. `terminal` tells lobby terminals apart (its `[station]`
    /// name) when a site has several: each has its own screen state and its own printer; "" is
    /// the only lobby of the console and the demo. Counters are told apart by `station`.
    case key(Key, station: StationID, at: Date, terminal: String = "")
    case tick(Date)
    case setWeather(Weather, at: Date)
    /// An operator's command from the control socket (`kioskctl counter pause 2`).
    case counterCommand(CounterCommand, counter: Int, at: Date)
    /// How a print job of an earlier output went: `problem` nil when it printed, else a
    /// `printer.problem.*` catalog suffix (offline, paper-out, busy, error).
    case printed(PrintJob, problem: String?, at: Date)
    /// Busy and quiet hours from stored history, for the lobby's advice (nil: too little history).
    /// The adapter reads the store when an output asks (`KioskOutput.needsQuietHours`).
    case quietHours(QuietHoursAdvice?)
    /// Case states pulled from the centre (`GET /v1/cases`), newest known first or last, and
    /// when they were pulled ("as of" on the lobby lookup): at start from storage, then after
    /// each pull. A state replaces the board's only when its `version` is not older.
    case casesPulled([CaseState], asOf: Date)
}

/// Busy and quiet hours of the day, from stored history (see `QuietHours.advice`).
public struct QuietHoursAdvice: Equatable, Sendable {
    public var busy: [Int]
    public var quiet: [Int]
    public init(busy: [Int], quiet: [Int]) { self.busy = busy; self.quiet = quiet }
}

/// What an operator may do to a counter from the shell.
public enum CounterCommand: String, Sendable, CaseIterable {
    case open, pause, close
}
