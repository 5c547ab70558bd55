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

@Suite("Sync batch size and disk budget in kiosk.conf")
struct SyncLimitsConfigurationTests {
    @Test func theDefaultsAreSensible() throws {
        let config = try ConfigurationParser.parse("[kiosk]\ncentral-url = https://c.example.com\n", file: "kiosk.conf").get()
        #expect(config.syncBatchSize == 500)
        #expect(config.syncDiskBudgetMiB == 256)
    }

    @Test func theKeysAreReadAndOutOfRangeValuesAreRejectedWithTheLine() throws {
        let config = try ConfigurationParser.parse(
            "[kiosk]\nsync-batch-size = 50\nsync-disk-budget = 1024\nca-file = /etc/kiosk/ca.pem\n", file: "kiosk.conf"
        ).get()
        #expect(config.syncBatchSize == 50)
        #expect(config.syncDiskBudgetMiB == 1024)
        let result = ConfigurationParser.parse(
            "[kiosk]\nsync-batch-size = 5000\nsync-disk-budget = 0\nsync-interval = many\nca-file = ca.pem\n", file: "kiosk.conf")
        guard case .failure(let errors) = result else {
            Issue.record("out-of-range sync keys must not start a kiosk")
            return
        }
        let text = errors.description
        #expect(text.contains("kiosk.conf:2: sync-batch-size = 5000 in [kiosk] is out of range; use events per upload from 1 to 1000"), "\(text)")
        #expect(text.contains("kiosk.conf:3: sync-disk-budget = 0 in [kiosk] is out of range; use MiB of unsent events from 1 to 1048576"), "\(text)")
        #expect(text.contains("kiosk.conf:4: sync-interval in [kiosk] must be a whole number, not 'many'"), "\(text)")
        #expect(text.contains("kiosk.conf:5: ca-file 'ca.pem' in [kiosk] must be an absolute path"), "\(text)")
    }
}
