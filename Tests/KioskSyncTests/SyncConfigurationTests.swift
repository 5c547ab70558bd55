import Foundation
import KioskCore
import Testing

@Suite("Sync keys in kiosk.conf")
struct SyncConfigurationTests {
    @Test func syncIsOffUnlessACentralURLIsGiven() throws {
        let config = try ConfigurationParser.parse("[kiosk]\nid = lobby-1\n", file: "kiosk.conf").get()
        #expect(config.centralURL == nil)
        #expect(config.syncIntervalSeconds == 60)
    }

    @Test func theSyncKeysAreRead() throws {
        let text = """
            [kiosk]
            central-url = https://central.example.com
            token-file = /etc/kiosk/central.token
            ca-file = /etc/kiosk/ca.pem
            sync-interval = 30
            """
        let config = try ConfigurationParser.parse(text, file: "kiosk.conf").get()
        #expect(config.centralURL == "https://central.example.com")
        #expect(config.syncTokenFile == "/etc/kiosk/central.token")
        #expect(config.syncCAFile == "/etc/kiosk/ca.pem")
        #expect(config.syncIntervalSeconds == 30)
    }

    @Test func aBadURLOrIntervalIsRejectedWithTheLineAndWhatToDo() {
        let result = ConfigurationParser.parse("[kiosk]\ncentral-url = central.example.com\nsync-interval = 1\n", file: "kiosk.conf")
        guard case .failure(let errors) = result else {
            Issue.record("a broken sync setting must not start a kiosk")
            return
        }
        let text = errors.errors.map(\.description).joined(separator: "\n")
        #expect(text.contains("kiosk.conf:2: central-url 'central.example.com' in [kiosk] must start with https://"))
        #expect(text.contains("kiosk.conf:3:"))
    }
}
