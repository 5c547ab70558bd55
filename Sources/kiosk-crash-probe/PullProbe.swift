import Foundation
import KioskProtocol
import KioskStorage

/// Pulled case states under SIGKILL, for the crash tests:
///
///     kiosk-crash-probe --pull <path/to/kiosk.sqlite>
///
/// Stores centre replies forever, as the sync worker does: reply k carries the states of
/// `pullProbeCases` cases, every one at version k, and `next` = 10·k. It resumes after the
/// stored cursor and prints `ack k` after each `storePulledCases` returned. So after a kill the
/// file must hold a cursor 10·k with every state at version k (never states of one reply with
/// the cursor of another), and k at least the last acknowledged.
let pullProbeCases = 40

func runPullProbe(_ arguments: [String]) -> Never {
    guard arguments.count == 1 else { fail("usage: kiosk-crash-probe --pull <path/to/kiosk.sqlite>") }
    do {
        let store = try EventStore(path: arguments[0])
        writeAll(1, "ready\n")
        var k = try store.pulledCasesCursor() / 10 + 1
        let opened = Date(timeIntervalSince1970: 1_796_280_000)
        while true {
            let states = (1...pullProbeCases).map { i in
                var s = CaseState(
                    ref: String(format: "R20261203-%03d", i), day: "2026-12-03", severity: .ordinary, openedAt: opened,
                    replyBy: opened.addingTimeInterval(48 * 3600))
                s.version = Int(k)
                s.updatedAt = opened.addingTimeInterval(Double(k))
                s.assignee = "handler-\(k % 7)"
                return s
            }
            let reply = CasesReply(cases: states, next: 10 * k, more: false, serverTime: "2026-12-03T07:00:00.000Z")
            try store.storePulledCases(reply, asOf: opened.addingTimeInterval(Double(k)))
            writeAll(1, "ack \(k)\n")
            k += 1
        }
    } catch {
        fail("\(error)")
    }
}
