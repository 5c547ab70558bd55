import Foundation
import KioskCore
import KioskPrinting
import KioskRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A counter station with a printer (`printer =` in its `[station]`) prints the commitment slip
/// (承诺兑现单) of each case opened for its visits: the resident's copy with a QR code of the
/// reference, and the office's copy. Printer trouble never blocks the case.
@Suite("Commitment slips", .serialized)
struct CommitmentSlipPrintingTests {
    func rig(counterPrinter: String) throws -> Rig {
        var text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
        text += """

            [station desk-1]
            role = counter 1
            printer = \(counterPrinter)

            """
        let rig = try Rig(configText: text)
        rig.operations.attach(to: rig.loop, handleSignals: false)
        return rig
    }

    /// Log in at counter 1, take a repairs ticket, call, serve and finish it, rate 不满意 for a long wait.
    func visitRatedBad(_ rig: Rig) {
        func press(_ keys: String, _ station: StationID) {
            for ch in keys {
                let key: Key = ch == "E" ? .enter : Key(name: String(ch))!
                rig.service.handle(.key(key, station: station, at: Date()))
            }
        }
        press("01001E1234E", .counter(1))
        press("1EE", .lobby)
        press("+EE41", .counter(1))
    }

    func lines(_ elements: [PrintedElement]) -> [String] {
        elements.compactMap { if case .text(let s) = $0 { return s } else { return nil } }
    }

    @Test func theResidentsCopyAndTheOfficeCopyPrintAtTheCounter() throws {
        let file = makeTemporaryFolder("slip") + "/lp1"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let rig = try rig(counterPrinter: file)
        visitRatedBad(rig)
        let events = try rig.service.store.events(since: 0).map(\.event)
        let opened = try #require(events.first { $0.type == .caseOpened })
        let ref = try #require(opened.caseRef)
        let elements = try decodeEscPos(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        // One job, two copies, each cut.
        #expect(elements.filter { $0 == .initialize }.count == 2)
        #expect(elements.filter { $0 == .cut }.count == 2)
        let firstCut = try #require(elements.firstIndex(of: .cut))
        let resident = lines(Array(elements[..<firstCut])), office = lines(Array(elements[firstCut...]))
        #expect(resident.contains("承诺兑现单"))
        #expect(resident.contains("跟进单号 \(ref)"))
        #expect(resident.contains("反映问题：等候时间长"))
        #expect(resident.contains { $0.hasPrefix("我们将于 ") && $0.hasSuffix(" 前答复您") })
        #expect(resident.contains("服务热线 400-000-0000"))
        #expect(elements[..<firstCut].contains(.qrStore(ref)))
        #expect(office.contains("承诺兑现单（存根）"))
        #expect(office.contains("跟进单号 \(ref)"))
        #expect(office.contains("受理人工号：1001"))
        #expect(office.contains { $0.hasPrefix("经办人签字") })
        #expect(!elements[firstCut...].contains { if case .qrStore = $0 { return true } else { return false } })
        #expect(events.filter { $0.type.rawValue.hasPrefix("printer") }.isEmpty)
        #expect(TicketPrinting.describePrinters(rig.service.setup.configuration) == "none; slips: desk-1 \(file)")
    }

    @Test func anOfflineSlipPrinterBlocksNothingAndTellsTheCounter() throws {
        let fifo = makeTemporaryFolder("slip") + "/lp1"
        #expect(mkfifo(fifo, 0o600) == 0)  // no reader: open fails with ENXIO, like an unplugged printer
        let rig = try rig(counterPrinter: fifo)
        visitRatedBad(rig)
        let types = try rig.service.store.events(since: 0).map(\.event.type)
        #expect(types.contains(.caseOpened))
        #expect(!types.contains(.printerFailed))
        let counter = rig.service.currentScreens(now: Date())[1]
        let text = counter.blocks.map { if case .text(let s, _) = $0 { return s } else { return "" } }.joined(separator: "\n")
        #expect(text.contains("承诺兑现单打印失败：打印机未连接"))
        // Staff carry on: the reply is recorded at the counter.
        rig.service.handle(.key(.digit(7), station: .counter(1), at: Date()))
        rig.service.handle(.key(.digit(1), station: .counter(1), at: Date()))
        #expect(try rig.service.store.events(since: 0).map(\.event.type).last == .caseContacted)
    }
}
