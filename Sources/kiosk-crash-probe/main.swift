/// kiosk-crash-probe: a writer for the KioskStorage crash tests.
///
///     kiosk-crash-probe <path/to/kiosk.sqlite>
///     kiosk-crash-probe --service STATE_DIR ASSETS_DIR CONFIG SEED   (see ServiceProbe.swift)
///     kiosk-crash-probe --pull <path/to/kiosk.sqlite>                 (see PullProbe.swift)
///
/// Opens an `EventStore` on the path (creating/migrating it), prints `ready`, then appends
/// deterministic batches of 1–3 events forever. After each append returns it prints
/// `ack <last seq of the batch>` with an unbuffered write(2), so whatever the test reads was
/// acknowledged by a committed, fsynced transaction. The test kills it with SIGKILL at random.
///
/// Batch layout (the test checks it): a batch whose first seq is B has size
/// 1 + ((B * 0x9E3779B97F4A7C15 mod 2^64) >> 33) % 3 and holds,
/// in order, `ticket.issued` T<B>, `ticket.called` T<B> at counter 1 + B % 5, and
/// `service.started` T<B>; part i's `detail` is "probe batch=B size=N part=i". So after a
/// crash the ticket T<B> must be "waiting", "called" or "serving" for sizes 1, 2, 3.
#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import KioskCore
import KioskStorage
import KioskSystem

func writeAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    guard (try? Posix.writeAll(fd, bytes)) == bytes.count else { exit(3) }
}

func fail(_ message: String) -> Never {
    writeAll(2, "kiosk-crash-probe: \(message)\n")
    exit(2)
}

/// 1…3, spread pseudo-randomly over first seqs.
func batchSize(startingAt b: Int64) -> Int {
    Int(1 + ((UInt64(b) &* 0x9E37_79B9_7F4A_7C15) >> 33) % 3)
}

/// The events of the batch starting at seq `b`.
func batch(startingAt b: Int64) -> [KioskEvent] {
    let size = batchSize(startingAt: b)
    let label = "T\(b)"
    let time = Date(timeIntervalSince1970: 1_795_478_400 + Double(b))  // 2026-11-24T00:00:00Z + b s
    let day = String(format: "2026-11-%02d", 1 + Int((b / 1000) % 28))
    var events: [KioskEvent] = []
    for part in 0..<size {
        var e: KioskEvent
        switch part {
        case 0:
            e = KioskEvent(.ticketIssued, at: time, day: day)
            e.service = "S\(b % 4)"
            e.number = Int(b)
            e.priority = b % 7 == 0
            e.estimateLow = 5
            e.estimateHigh = 15
        case 1:
            e = KioskEvent(.ticketCalled, at: time, day: day)
            e.counter = Int(1 + b % 5)
        default:
            e = KioskEvent(.serviceStarted, at: time, day: day)
            e.counter = Int(1 + b % 5)
        }
        e.ticket = label
        e.detail = "probe batch=\(b) size=\(size) part=\(part)"
        events.append(e)
    }
    return events
}

let arguments = CommandLine.arguments
if arguments.count >= 2, arguments[1] == "--service" {
    runServiceProbe(Array(arguments.dropFirst(2)))
}
if arguments.count >= 2, arguments[1] == "--pull" {
    runPullProbe(Array(arguments.dropFirst(2)))
}
guard arguments.count >= 2 else { fail("usage: kiosk-crash-probe <path/to/kiosk.sqlite> [max-batches]") }
let maxBatches = arguments.count >= 3 ? Int(arguments[2]) : nil

do {
    let store = try EventStore(path: arguments[1])
    writeAll(1, "ready\n")
    var next = try store.lastSequence() + 1
    var done = 0
    while maxBatches.map({ done < $0 }) ?? true {
        let recorded = try store.append(batch(startingAt: next), kiosk: "probe")
        guard let first = recorded.first, let last = recorded.last, first.seq == next else {
            fail("append returned seqs \(recorded.map(\.seq)), expected to start at \(next)")
        }
        writeAll(1, "ack \(last.seq)\n")
        next = last.seq + 1
        done += 1
    }
    store.close()
} catch {
    fail("\(error)")
}
