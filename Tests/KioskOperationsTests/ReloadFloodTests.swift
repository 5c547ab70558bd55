import Dispatch
import Foundation
import KioskCore
@testable import KioskRuntime
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A flood of `reload`s: coalesced into a few loads, loaded off the loop (which keeps drawing),
/// every request answered with an outcome at least as new as itself.
@Suite("Reload flood", .serialized)
struct ReloadFloodTests {
    @Test func requestsDuringALoadWaitForTheNextOneAndShareIt() {
        var c = ReloadCoalescer<Int>()
        let starts = [c.request(1), c.request(2), c.request(3)]
        #expect(starts == [true, false, false], "the first request starts a load; later ones wait: it may have read the file before them")
        let first = c.finished()
        #expect(first.answer == [1] && first.startNext, "the first load answers only its own request and the next one starts")
        let fourth = c.request(4)
        #expect(!fourth, "a request during the second load waits for a third")
        let second = c.finished()
        #expect(second.answer == [2, 3] && second.startNext)
        let third = c.finished()
        #expect(third.answer == [4] && !third.startNext && c.running == nil)
        let fifth = c.request(5)
        #expect(fifth, "with nothing running, a request starts a load at once")
    }

    /// 500 requests while a load is held: one load runs, one more follows for all the others,
    /// and the loop's timer (the screens' redraw) keeps running throughout.
    @Test func aHeldLoadDoesNotStopTheLoopAndFiveHundredRequestsCostTwoLoads() throws {
        let gate = DispatchSemaphore(value: 0)
        let loads = Mutex(0)
        let loop = PollLoop()
        let answered = Mutex<[Int: String]>([:])
        let reloader = ConfigReloader(
            load: {
                let n = loads.withLock { $0 += 1; return $0 }
                if n == 1 { gate.wait() }
                return .failure(ConfigurationErrors([ConfigurationError(file: "kiosk.conf", line: n, message: "load \(n)")]))
            },
            apply: { loaded in
                guard case .failure(let e) = loaded else { return .ok("?") }
                return .error(e.errors[0].message)
            },
            answer: { waiters, response in
                for case .client(let id) in waiters { answered.withLock { $0[Int(id.serial)] = response.text } }
            })
        reloader.attach(to: loop)
        var ticksWhileHeld = 0
        var requested = 0
        loop.every(0.002) { [loop] in
            if requested < 500 {
                for _ in 0..<50 {
                    requested += 1
                    reloader.request(.client(ControlServer.ClientID(fd: 0, serial: UInt64(requested))))
                }
            } else if ticksWhileHeld < 20 {
                ticksWhileHeld += 1
                if ticksWhileHeld == 20 { gate.signal() }
            } else if answered.withLock({ $0.count }) == 500 {
                loop.stop()
            }
        }
        loop.run()
        reloader.detach()
        #expect(ticksWhileHeld == 20, "the loop ran its timer 20 times while the load was held")
        #expect(loads.withLock { $0 } == 2, "one held load and one more for every request that came during it")
        let texts = answered.withLock { $0 }
        #expect(texts[1] == "load 1", "the first request got the load it started")
        #expect((2...500).allSatisfy { texts[$0] == "load 2" }, "every later request got the load that began after it")
    }

    /// Through the real socket: 15 clients each send 20 `reload`s (300) while the kiosk runs;
    /// every one is answered `reloaded`, a `ping` sent meanwhile is answered too, and `status`
    /// says how many loads answered them.
    @Test func aFloodThroughTheSocketIsAnsweredAndCoalesced() throws {
        let rig = try Rig()
        let path = rig.socketPath
        let (answers, ping) = try rig.run { () -> ([ControlResponse], ControlResponse) in
            let all = Mutex<[ControlResponse]>([])
            let finished = DispatchSemaphore(value: 0)
            // 15 clients and the ping: the socket's 16 places, so none is answered busy.
            for _ in 0..<15 {
                Thread {
                    for _ in 0..<20 {
                        let r = (try? ControlClient.send(.reload, socketPath: path)) ?? .error("no answer")
                        all.withLock { $0.append(r) }
                    }
                    finished.signal()
                }.start()
            }
            usleep(20_000)
            _ = try ControlClient.send(.ping, socketPath: path)
            for _ in 0..<15 { finished.wait() }
            let ping = try ControlClient.send(.ping, socketPath: path)
            return (all.withLock { $0 }, ping)
        }
        #expect(answers.count == 300)
        #expect(answers.allSatisfy { $0.ok && $0.text.hasPrefix("reloaded ") }, "\(answers.first { !$0.ok }?.text ?? "")")
        #expect(ping.ok && ping.text.contains("last reload: ok") && ping.text.contains("(300 requests answered by"), "\(ping.text)")
        let words = ping.text.split(separator: " ")
        let n = words.firstIndex(of: "by").flatMap { Int(words[words.index(after: $0)]) } ?? 0
        #expect(n >= 1 && n < 300, "coalesced: \(n) loads")
    }
}
