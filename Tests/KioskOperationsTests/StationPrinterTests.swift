import Foundation
import KioskCore
import KioskRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two lobby stations, each with its own printer (`printer =` in its `[station]`): a ticket
/// prints on the printer of the station whose keypad took it; `[kiosk] printer =` serves lobby
/// stations without their own.
@Suite("Printers per lobby station", .serialized)
struct StationPrinterTests {
    /// The shipped configuration plus three lobby stations on file displays (not opened here: keys
    /// are fed to the service as the station frontend feeds them).
    func rig(east: String, west: String, shared: String) throws -> Rig {
        var text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
            .replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-000-0000\nprinter = \(shared)")
        text += """

            [station lobby-east]
            role = lobby
            printer = \(east)

            [station lobby-west]
            printer = \(west)
            role = lobby

            [station lobby-south]
            role = lobby

            """
        let rig = try Rig(configText: text)
        rig.operations.attach(to: rig.loop, handleSignals: false)
        return rig
    }

    func take(_ rig: Rig, at station: String) {
        for k: Key in [.digit(1), .enter, .enter] {  // repairs, confirm, back to the lobby
            rig.service.handle(.key(k, station: .lobby, at: Date()), fromStation: station)
        }
    }

    /// The ticket numbers printed into a file, decoded from its ESC/POS bytes.
    func printedNumbers(_ path: String) throws -> [String] {
        let elements = try decodeEscPos(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        return elements.indices.compactMap { i in
            guard i > 0, elements[i - 1] == .size(width: 2, height: 2), case .text(let s) = elements[i] else { return nil }
            return s
        }
    }

    func emptyFile(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    @Test func eachLobbyStationGetsOnlyItsOwnTickets() throws {
        let folder = makeTemporaryFolder("station-print")
        let east = emptyFile(folder + "/lp0"), west = emptyFile(folder + "/lp1"), shared = emptyFile(folder + "/lp9")
        let rig = try rig(east: east, west: west, shared: shared)
        take(rig, at: "lobby-east")
        take(rig, at: "lobby-west")
        take(rig, at: "lobby-west")
        take(rig, at: "lobby-south")
        take(rig, at: "lobby-east")
        #expect(try printedNumbers(east) == ["A001", "A005"])
        #expect(try printedNumbers(west) == ["A002", "A003"])
        #expect(try printedNumbers(shared) == ["A004"])
        #expect(try rig.service.store.events(since: 0).map(\.event.type).filter { $0.rawValue.hasPrefix("printer") }.isEmpty)
        #expect(TicketPrinting.describePrinters(rig.service.setup.configuration)
                == "lobby-east \(east), lobby-west \(west), lobby-south \(shared)")
    }

    @Test func oneLobbysBrokenPrinterNeverBlocksIssuingAndIsNotCuredByTheOther() throws {
        let folder = makeTemporaryFolder("station-print")
        let east = folder + "/lp0"
        #expect(mkfifo(east, 0o600) == 0)  // no reader: offline, like an unplugged printer
        let west = emptyFile(folder + "/lp1")
        let rig = try rig(east: east, west: west, shared: emptyFile(folder + "/lp9"))
        take(rig, at: "lobby-east")
        var events = try rig.service.store.events(since: 0).map(\.event)
        #expect(events.map(\.type) == [.ticketIssued, .printerFailed])
        #expect(events[1].ticket == "A001" && events[1].detail == "offline" && events[1].station == "lobby-east")
        #expect(rig.service.machine.state.printerProblem == "offline")
        // The west lobby prints fine, but the east printer is still broken: the alert stays.
        take(rig, at: "lobby-west")
        #expect(try printedNumbers(west) == ["A002"])
        #expect(rig.service.machine.state.printerProblem == "offline")
        // The east printer is back: its next ticket prints and the alert goes.
        unlink(east)
        _ = emptyFile(east)
        take(rig, at: "lobby-east")
        events = try rig.service.store.events(since: 0).map(\.event)
        #expect(events.suffix(2).map(\.type) == [.ticketIssued, .printerRecovered])
        #expect(rig.service.machine.state.printerProblem == nil)
        #expect(try printedNumbers(east) == ["A003"])
    }
}
