import KioskCore
import Testing

/// `printer =` per lobby station: each lobby prints its own tickets; `[kiosk] printer =` is the
/// default for lobby stations without one.
@Suite("Station printers")
struct StationPrinterConfigTests {
    @Test func eachLobbyStationNamesItsOwnPrinter() throws {
        let text = """
        [kiosk]
        printer = /dev/usb/lp9

        [station lobby-east]
        printer = /dev/usb/lp0
        role = lobby

        [station lobby-west]
        role = lobby
        printer = /dev/usb/lp1

        [station lobby-south]
        role = lobby
        """
        let config = try ConfigurationParser.parse(text, file: "kiosk.conf").get()
        #expect(config.stations.map(\.printer) == ["/dev/usb/lp0", "/dev/usb/lp1", nil])
        #expect(config.printer == "/dev/usb/lp9")
    }

    @Test func aCounterStationsPrinterPrintsItsSlipsAndAPrinterMustBeADevicePath() {
        let text = """
        [station desk-1]
        role = counter 1
        printer = /dev/usb/lp0

        [station lobby]
        printer = lp0
        role = lobby

        [station desk-2]
        printer = /dev/usb/lp2
        role = counter 2
        """
        guard case .failure(let e) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
            Issue.record("a printer that is not a device path must not parse"); return
        }
        let messages = e.errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:6:") && $0.contains("printer = lp0 in [station lobby] must be a device path; e.g. printer = /dev/usb/lp0") })
        #expect(messages.count == 1)
        let fixed = text.replacingOccurrences(of: "printer = lp0", with: "printer = /dev/usb/lp1")
        guard case .success(let config) = ConfigurationParser.parse(fixed, file: "kiosk.conf") else {
            Issue.record("counter stations with printers must parse"); return
        }
        #expect(config.slipPrinter(counter: 1) == "/dev/usb/lp0")
        #expect(config.slipPrinter(counter: 2) == "/dev/usb/lp2")
        #expect(config.ticketPrinter(station: "lobby") == "/dev/usb/lp1")
    }
}
