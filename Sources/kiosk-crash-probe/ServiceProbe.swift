#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import KioskCore
import KioskRuntime

/// The whole kiosk under random use, for the restart tests:
///
///     kiosk-crash-probe --service STATE_DIR ASSETS_DIR CONFIG SEED
///
/// Restores a `KioskService` from STATE_DIR (as `kioskd` does), prints `ready <last seq>`, then
/// presses random keys at the lobby and the counters on a clock that moves 7 s per key, forever.
/// After each input whose events were committed it prints `ack <last seq>`, so everything the
/// test reads was on screen and stored. The test kills it with SIGKILL at random moments.
func runServiceProbe(_ arguments: [String]) -> Never {
    guard arguments.count == 4, let seed = UInt64(arguments[3]) else {
        fail("usage: kiosk-crash-probe --service STATE_DIR ASSETS_DIR CONFIG SEED")
    }
    let setup: KioskSetup
    switch KioskSetup.load(configPath: arguments[2], assets: arguments[1]) {
    case .success(let s): setup = s
    case .failure(let e): fail("configuration: \(e)")
    }
    do {
        // Continue the clock from the last stored event so a restarted probe never goes back in time.
        let start = Date(timeIntervalSince1970: 1_795_482_000)  // 2026-11-24 09:00 Shanghai
        var clock = start
        let service = try KioskService(setup: setup, stateDirectory: arguments[0], now: clock)
        if let last = try service.store.events(since: max(0, service.store.lastSequence() - 1)).last {
            clock = max(clock, last.event.time.addingTimeInterval(1))
        }
        writeAll(1, "ready \(try service.store.lastSequence())\n")
        var random = SplitMix64(state: seed)
        let counters = setup.configuration.counters.map(\.number)
        while true {
            clock = clock.addingTimeInterval(7)
            let station: StationID = random.below(3) == 0 ? .lobby : .counter(counters[random.below(counters.count)])
            let inputs: [KioskInput]
            switch station {
            case .lobby:
                let keys: [Key] = (random.below(5) == 0 ? [.star] : []) + [.digit(1 + random.below(6)), .enter]
                inputs = keys.map { .key($0, station: .lobby, at: clock) }
            case .board:
                inputs = []
            case .counter(let n):
                if service.machine.state.counters[n]?.staff == nil {
                    let staff = n == counters.first ? "1001" : "1002"
                    let keys = "0\(staff)E1234E".map { $0 == "E" ? Key.enter : Key(name: String($0))! }
                    inputs = keys.map { .key($0, station: station, at: clock) }
                } else {
                    let menu: [Key] = [.plus, .plus, .enter, .enter, .enter, .digit(1), .digit(2), .digit(3), .digit(4),
                                       .minus, .slash, .dot, .digit(9), .star, .digit(8)]
                    var keys = [menu[random.below(menu.count)]]
                    if keys[0] == .dot { keys.append(.digit(1 + random.below(6))) }
                    inputs = keys.map { .key($0, station: station, at: clock) } + [.tick(clock)]
                }
            }
            for input in inputs {
                service.handle(input)
                writeAll(1, "ack \(try service.store.lastSequence())\n")
            }
        }
    } catch {
        fail("\(error)")
    }
}

extension SplitMix64 {
    /// A number in 0..<n: the same seed gives the same key presses.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
