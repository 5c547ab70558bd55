import Foundation
import KioskCore
import KioskPrinting
import KioskRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reads an ESC/POS byte stream back into what a printer would do with it.
enum PrintedElement: Equatable {
    case initialize, chineseMode, align(UInt8), size(width: Int, height: Int), bold(Bool), feed(Int), cut
    case text(String)
    case qrModel(UInt8), qrModuleSize(UInt8), qrErrorCorrection(UInt8), qrStore(String), qrPrint
}

struct EscPosDecodeError: Error, CustomStringConvertible { var description: String }

func decodeEscPos(_ bytes: [UInt8]) throws -> [PrintedElement] {
    var out: [PrintedElement] = []
    var i = 0
    var text: [UInt8] = []
    func need(_ n: Int) throws { guard i + n <= bytes.count else { throw EscPosDecodeError(description: "truncated command at \(i)") } }
    while i < bytes.count {
        let b = bytes[i]
        switch b {
        case 0x0A:
            guard let s = PrinterText.decodeGB18030(text) else { throw EscPosDecodeError(description: "text is not GB18030") }
            out.append(.text(s)); text = []; i += 1
        case 0x1B:
            try need(2)
            switch bytes[i + 1] {
            case 0x40: out.append(.initialize); i += 2
            case 0x61: try need(3); out.append(.align(bytes[i + 2])); i += 3
            case 0x45: try need(3); out.append(.bold(bytes[i + 2] != 0)); i += 3
            case 0x64: try need(3); out.append(.feed(Int(bytes[i + 2]))); i += 3
            default: throw EscPosDecodeError(description: "unknown ESC \(bytes[i + 1]) at \(i)")
            }
        case 0x1C:
            try need(2)
            guard bytes[i + 1] == 0x26 else { throw EscPosDecodeError(description: "unknown FS at \(i)") }
            out.append(.chineseMode); i += 2
        case 0x1D:
            try need(2)
            switch bytes[i + 1] {
            case 0x21: try need(3); out.append(.size(width: Int(bytes[i + 2] >> 4) + 1, height: Int(bytes[i + 2] & 0x0F) + 1)); i += 3
            case 0x56: try need(4); out.append(.cut); i += 4
            case 0x28:
                try need(8)
                guard bytes[i + 2] == 0x6B, bytes[i + 5] == 0x31 else { throw EscPosDecodeError(description: "not GS ( k at \(i)") }
                let length = Int(bytes[i + 3]) | Int(bytes[i + 4]) << 8
                try need(5 + length)
                let fn = bytes[i + 6]
                let params = Array(bytes[(i + 7)..<(i + 5 + length)])
                switch fn {
                case 0x41: out.append(.qrModel(params[0]))
                case 0x43: out.append(.qrModuleSize(params[0]))
                case 0x45: out.append(.qrErrorCorrection(params[0]))
                case 0x50: out.append(.qrStore(String(decoding: params.dropFirst(), as: UTF8.self)))
                case 0x51: out.append(.qrPrint)
                default: throw EscPosDecodeError(description: "unknown QR function \(fn)")
                }
                i += 5 + length
            default: throw EscPosDecodeError(description: "unknown GS \(bytes[i + 1]) at \(i)")
            }
        default:
            text.append(b); i += 1
        }
    }
    guard text.isEmpty else { throw EscPosDecodeError(description: "text after the last line feed") }
    return out
}

@Suite("Printed tickets", .serialized)
struct TicketPrintingTests {
    func rig(printer: String) throws -> Rig {
        let text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
            .replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-000-0000\nprinter = \(printer)")
        let rig = try Rig(configText: text)
        rig.operations.attach(to: rig.loop, handleSignals: false)
        return rig
    }

    func issueRepairsTicket(_ rig: Rig, at now: Date = Date()) {
        rig.service.handle(.key(.digit(1), station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
    }

    func allText(_ screens: [Screen]) -> String {
        screens.flatMap(\.blocks).map { block -> String in
            switch block {
            case .text(let s, _), .heading(let s), .banner(let s, _): return s
            default: return ""
            }
        }.joined(separator: "\n")
    }

    @Test func aTicketPrintsItsNumberDoubleSizeWithEverythingAResidentNeedsAndAQRCode() throws {
        let file = makeTemporaryFolder("print") + "/lp0"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        let rig = try rig(printer: file)
        let issuedAt = Date()
        issueRepairsTicket(rig, at: issuedAt)
        rig.service.handle(.key(.enter, station: .lobby, at: issuedAt))  // back to the lobby
        issueRepairsTicket(rig, at: issuedAt)
        let elements = try decodeEscPos(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        // Two jobs, each starting with ESC @ and ending with a cut.
        #expect(elements.filter { $0 == .initialize }.count == 2)
        #expect(elements.filter { $0 == .cut }.count == 2)
        let first = Array(elements[0..<(elements.firstIndex(of: .cut)! + 1)])
        let day = rig.service.machine.state.day
        // The number is the only double-size text.
        let numberAt = first.firstIndex(of: .text("A001"))!
        #expect(first[numberAt - 1] == .size(width: 2, height: 2))
        #expect(first[numberAt + 1] == .size(width: 1, height: 1))
        #expect(first.contains(.chineseMode))
        #expect(first.contains(.align(1)))
        let lines = first.compactMap { if case .text(let s) = $0 { return s } else { return nil } }
        #expect(lines.contains("报修"))
        #expect(lines.contains("您前面还有 0 人"))
        #expect(lines.contains { $0.hasPrefix("预计等候约") })
        #expect(lines.contains("服务热线 400-000-0000"))
        // The ticket shows the local date and time it was taken (after midnight that is already
        // the next calendar date, while the business day (in the QR code) runs until 04:00).
        let local = DateFormatter()
        local.timeZone = rig.service.machine.configuration.timeZone
        local.dateFormat = "yyyy-MM-dd"
        #expect(lines.contains { $0.hasPrefix(local.string(from: issuedAt) + " ") })
        #expect(first.contains(.qrStore("kiosk-01/\(day)/A001")))
        #expect(first.firstIndex(of: .qrStore("kiosk-01/\(day)/A001"))! < first.firstIndex(of: .qrPrint)!)
        #expect(first.contains(.qrModel(0x32)))
        // The second resident is told one person is ahead.
        #expect(elements.contains(.text("您前面还有 1 人")))
        #expect(elements.contains(.qrStore("kiosk-01/\(day)/A002")))
        #expect(try rig.service.store.events(since: 0).map(\.event.type).filter { $0.rawValue.hasPrefix("printer") }.isEmpty)
    }

    @Test func anOfflinePrinterNeverBlocksIssuingTellsTheResidentAndAlertsStaff() throws {
        let folder = makeTemporaryFolder("print")
        let fifo = folder + "/lp0"
        #expect(mkfifo(fifo, 0o600) == 0)  // no reader: open fails with ENXIO, like an unplugged printer
        let rig = try rig(printer: fifo)
        for k: Key in [.digit(0), .digit(1), .digit(0), .digit(0), .digit(1), .enter, .digit(1), .digit(2), .digit(3), .digit(4), .enter] {
            rig.service.handle(.key(k, station: .counter(1), at: Date()))
        }
        issueRepairsTicket(rig)
        let events = try rig.service.store.events(since: 0).map(\.event).filter { ![.staffLoggedIn, .counterOpened].contains($0.type) }
        #expect(events.map(\.type) == [.ticketIssued, .printerFailed])
        #expect(events[1].ticket == "A001" && events[1].detail == "offline")
        let screens = rig.service.currentScreens(now: Date())
        #expect(allText([screens[0]]).contains("A001"))
        #expect(allText([screens[0]]).contains("请记住您的号码"))
        #expect(allText(Array(screens.dropFirst())).contains("取号打印机故障：打印机未连接"))
        // The printer comes back: the next ticket prints, the alert goes away.
        unlink(fifo)
        _ = FileManager.default.createFile(atPath: fifo, contents: nil)
        rig.service.handle(.key(.enter, station: .lobby, at: Date()))
        issueRepairsTicket(rig)
        #expect(try rig.service.store.events(since: 0).map(\.event.type).suffix(2) == [.ticketIssued, .printerRecovered])
        #expect(!allText(rig.service.currentScreens(now: Date())).contains("取号打印机故障"))
        #expect(try decodeEscPos(Array(try Data(contentsOf: URL(fileURLWithPath: fifo)))).contains(.text("A002")))
    }

    @Test func aPrinterThatStopsTakingDataIsBusyAndAWriteErrorIsAnError() throws {
        let fifo = makeTemporaryFolder("print") + "/lp0"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDWR | O_NONBLOCK)  // a printer that accepts nothing more
        defer { close(reader) }
        let filler = open(fifo, O_WRONLY | O_NONBLOCK)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while write(filler, &chunk, chunk.count) > 0 {}
        close(filler)
        guard case .failure(let busy) = TicketPrinter(path: fifo).print([1, 2, 3]) else { Issue.record("a full printer took data"); return }
        #expect(busy.problem == .busy)
        guard case .failure(let full) = TicketPrinter(path: "/dev/full").print([1, 2, 3]) else { Issue.record("/dev/full printed"); return }
        #expect(full.problem == .error)
        guard case .failure(let missing) = TicketPrinter(path: "/nonexistent/lp9").print([1]) else { Issue.record("printed to nothing"); return }
        #expect(missing.problem == .offline)
    }

    @Test func chineseTextRoundTripsThroughGB18030() {
        let text = "请 A001 号到 1 号窗口 · 预计等候约 5–10 分钟"
        let bytes = PrinterText.gb18030(text)
        #expect(bytes != Array(text.utf8))
        #expect(PrinterText.decodeGB18030(bytes) == text)
    }
}
