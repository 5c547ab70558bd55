import Foundation
import KioskCore
import KioskRuntime
import KioskTestSupport
import Testing

@testable import KioskStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The whole kiosk (machine + storage, as `kioskd` runs it) killed with SIGKILL at random moments
/// while keys are pressed, then restarted: every acknowledged event is there exactly once, the
/// restored queue matches the stored current-state tables, and ticket numbers never repeat or skip.
@Suite("Restart after SIGKILL")
struct ServiceRestartTests {
    static let root = ScreenFixtures.repositoryRoot
    static let assets = root.appendingPathComponent("Kiosk").path
    static let config = root.appendingPathComponent("Kiosk/kiosk.conf").path

    @Test func theDaysQueueComesBackExactlyAfterEveryKill() throws {
        guard let probe = locateCrashProbe() else {
            Issue.record("kiosk-crash-probe not found next to the test bundle; run `swift build` first")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-restart-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        guard case .success(let setup) = KioskSetup.load(configPath: Self.config, assets: Self.assets) else {
            Issue.record("Kiosk/kiosk.conf does not load")
            return
        }
        var rng = SplitMix64(state: 20_261_124)
        var acknowledged: Int64 = 0
        var kills = 0
        for round in 0..<60 {
            let process = Process()
            process.executableURL = probe
            process.arguments = ["--service", directory.path, Self.assets, Self.config, String(round)]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // Even rounds are killed at a random moment from the start (often while it restores,
            // before it is ready); odd ones at a random moment after it said `ready`, so real
            // work is cut off however slowly a loaded machine runs the start.
            let early = round % 2 == 0 ? Data() : Self.read(out, until: "ready", seconds: 30)
            usleep(useconds_t(80_000 + Int(rng.next() % 200_000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += process.terminationReason == .uncaughtSignal ? 1 : 0
            let text = String(decoding: early + out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("ack ") {
                acknowledged = max(acknowledged, Int64(line.dropFirst(4)) ?? 0)
            }

            // Restart as kioskd does.
            let service = try KioskService(setup: setup, stateDirectory: directory.path, now: Date(timeIntervalSince1970: 1_795_482_000))
            defer { service.store.close() }
            let store = service.store
            #expect(try store.integrityCheck() == "ok")
            let events = try store.events()
            #expect(events.map(\.seq) == Array(1...Int64(max(events.count, 1))).prefix(events.count).map { $0 }, "sequence numbers are contiguous")
            #expect(try store.lastSequence() >= acknowledged, "round \(round): acknowledged #\(acknowledged) lost")

            // The restored queue is what the current-state tables say.
            let state = service.machine.state
            if !state.dayClosed {
                let rows = try store.tickets(day: state.day)
                #expect(Set(rows.map(\.label)) == Set(state.order), "round \(round): tickets differ")
                for row in rows {
                    #expect(row.status == state.tickets[row.label]?.status.rawValue, "round \(round): \(row.label)")
                }
            }
            for row in try store.counters() {
                #expect(row.staff == state.counters[row.number]?.staff, "round \(round): counter \(row.number) staff")
                #expect(row.status == state.counters[row.number]?.status.rawValue, "round \(round): counter \(row.number) status")
            }
            // Numbers per service and day run 1, 2, 3… with no gap and no repeat.
            var numbers: [String: [Int]] = [:]
            for e in events.map(\.event) where e.type == .ticketIssued {
                numbers["\(e.day) \(e.service ?? "")", default: []].append(e.number ?? 0)
            }
            for (key, list) in numbers { #expect(list == Array(1...list.count), "\(key): \(list)") }
        }
        #expect(kills == 60)
        #expect(acknowledged > 60, "the probe should get real work done between kills (acked \(acknowledged))")
    }

    /// What the pipe gave until a line starting with `word` arrived (or `seconds` passed).
    static func read(_ pipe: Pipe, until word: String, seconds: Double) -> Data {
        var data = Data()
        let fd = pipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { break }
            if poller.revents == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if String(decoding: data, as: UTF8.self).split(separator: "\n").contains(where: { $0.hasPrefix(word) }) { break }
        }
        return data
    }
}
