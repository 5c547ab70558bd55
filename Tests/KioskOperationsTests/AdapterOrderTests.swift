import Foundation
import KioskCore
import KioskRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The service hands each committed output to its adapters in turn; what an adapter reports
/// back (a print that failed) is the next input, handled after the adapters are done with the
/// current one, never from inside them.
@Suite("Adapters and follow-up inputs", .serialized)
struct AdapterOrderTests {
    final class Recorder {
        var steps: [String] = []
    }

    @Test func aPrinterFailureIsALaterInputNotACallFromInsideTheCurrentOne() throws {
        let fifo = makeTemporaryFolder("adapters") + "/lp0"
        #expect(mkfifo(fifo, 0o600) == 0)  // no reader: the printer is offline
        let text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
            .replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-000-0000\nprinter = \(fifo)")
        let rig = try Rig(configText: text)
        let recorder = Recorder()
        // Before the printer: sees the ticket's output first.
        rig.service.addAdapter { [unowned service = rig.service] output in
            recorder.steps.append("first sees \(output.events.map(\.type.rawValue)) with \(output.prints.count) print(s); stored: \(service.machine.state.printerProblem ?? "no problem")")
            return []
        }
        rig.operations.attach(to: rig.loop, handleSignals: false)
        // After the printer: the failure is not handled yet while the ticket's output is still going round.
        rig.service.addAdapter { [unowned service = rig.service] output in
            recorder.steps.append("last sees \(output.events.map(\.type.rawValue)); stored: \(service.machine.state.printerProblem ?? "no problem")")
            return []
        }
        rig.service.handle(.key(.digit(1), station: .lobby, at: Date()))
        recorder.steps.removeAll()
        rig.service.handle(.key(.enter, station: .lobby, at: Date()))
        #expect(recorder.steps == [
            "first sees [\"ticket.issued\"] with 1 print(s); stored: no problem",
            "last sees [\"ticket.issued\"]; stored: no problem",
            "first sees [\"printer.failed\"] with 0 print(s); stored: offline",
            "last sees [\"printer.failed\"]; stored: offline",
        ])
        #expect(try rig.service.store.events(since: 0).map(\.event.type) == [.ticketIssued, .printerFailed])
    }
}
