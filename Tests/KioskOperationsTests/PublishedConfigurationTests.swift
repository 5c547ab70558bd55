import Foundation
import KioskCore
import KioskStorage
import KioskProtocol
import KioskSync
import Testing

@testable import KioskRuntime

/// The centre's published configuration on the kiosk: applied over the local file keeping the
/// kiosk's own keys, stored atomically in the state folder, run again at an offline start, and a
/// broken version refused while the running one stays.
@Suite("Published configuration kept on the kiosk")
struct PublishedConfigurationTests {
    static let local = """
        [kiosk]
        id = lobby-7
        central-url = https://central.example.com
        token-file = /etc/kiosk/central.token
        sync-batch-size = 50
        printer = /dev/usb/lp0

        """

    static func shipped(renaming name: String) throws -> String {
        let text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
        return text.replacingOccurrences(of: "name = 报修\n", with: "name = \(name)\n")
    }

    func localSetup(_ folder: String) throws -> (String, KioskSetup) {
        let path = folder + "/kiosk.conf"
        try Self.local.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try KioskSetup.load(configPath: path, assets: assetsFolder).get())
    }

    @Test func aPublishedVersionReplacesTheSettingsButKeepsTheKiosksOwnKeys() throws {
        let folder = makeTemporaryFolder("published")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (_, setup) = try localSetup(folder)
        let published = PublishedConfiguration(version: 3, body: try Self.shipped(renaming: "维修登记处"))
        let applied = try published.applied(to: setup).get()
        #expect(applied.configuration.service("repairs")?.names[.chinese] == "维修登记处")
        #expect(applied.configuration.kioskID == "lobby-7", "the published file says kiosk-01; the kiosk keeps its id")
        #expect(applied.configuration.centralURL == "https://central.example.com")
        #expect(applied.configuration.syncBatchSize == 50)
        #expect(applied.configuration.printer == "/dev/usb/lp0")
        #expect(applied.publishedVersion == 3)
        #expect(applied.configSource.hasPrefix("published version 3 over "))
    }

    @Test func aBrokenVersionIsRefusedWithEveryErrorNamingTheVersion() throws {
        let folder = makeTemporaryFolder("published")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (_, setup) = try localSetup(folder)
        let broken = PublishedConfiguration(version: 5, body: "[kiosk]\nprefx = A\nsync-interval = 1\n")
        guard case .failure(let errors) = broken.applied(to: setup) else {
            Issue.record("a broken published configuration must be refused")
            return
        }
        let text = errors.description
        #expect(text.contains("published configuration v5:2: unknown key 'prefx'"), "\(text)")
        #expect(text.contains("published configuration v5:3:"), "\(text)")
        let missing = PublishedConfiguration(version: 6, body: "[kiosk]\nreasons = reason.nope\n")
        guard case .failure(let e) = missing.applied(to: setup) else {
            Issue.record("a reason the catalogs lack must be refused")
            return
        }
        #expect(e.description.contains("'reason.nope'"))
    }

    @Test func itIsStoredAtomicallyAndRunAgainAtTheNextStart() throws {
        let folder = makeTemporaryFolder("published")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (path, _) = try localSetup(folder)
        let state = folder + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try PublishedConfiguration(version: 1, body: "[kiosk]\nweather = rain\n").save(stateDirectory: state)
        try PublishedConfiguration(version: 2, body: try Self.shipped(renaming: "维修登记处")).save(stateDirectory: state)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state) == [PublishedConfiguration.fileName], "no temporary file left")
        #expect(try PublishedConfiguration.load(stateDirectory: state)?.version == 2)
        // A start (offline or not) runs the stored version over the local file.
        let started = try KioskSetup.load(configPath: path, assets: assetsFolder, stateDirectory: state).get()
        #expect(started.publishedVersion == 2)
        #expect(started.configuration.service("repairs")?.names[.chinese] == "维修登记处")
        #expect(started.configuration.kioskID == "lobby-7")
        #expect(started.publishedProblem == nil)
        // Without a state folder (--check-config) the local file alone is checked.
        #expect(try KioskSetup.load(configPath: path, assets: assetsFolder).get().publishedVersion == 0)
        // A damaged file does not stop the kiosk: the local file runs and the reason is kept.
        try "{\"version\": 2, \"bo".write(toFile: PublishedConfiguration.path(stateDirectory: state), atomically: true, encoding: .utf8)
        let fallback = try KioskSetup.load(configPath: path, assets: assetsFolder, stateDirectory: state).get()
        #expect(fallback.publishedVersion == 0)
        #expect(fallback.configuration.service("repairs")?.names[.chinese] == "报修")
        #expect(fallback.publishedProblem?.contains("delete it to run kiosk.conf") == true)
    }

    @Test func theDaemonAppliesAVersionAllOrNothingAndRecordsWhatItRuns() throws {
        let rig = try Rig(configText: Self.local)
        let state = rig.folder + "/state"
        let good = ConfigReply(
            site: "tower-a", version: 4, body: try Self.shipped(renaming: "维修登记处"), publishedAt: "2026-11-24T07:00:00.000Z")
        var (ok, message) = CentralSync.applyPublished(good, operations: rig.operations, stateDirectory: state)
        #expect(ok, "\(message)")
        #expect(message == "now running configuration version 4")
        #expect(rig.service.setup.configuration.service("repairs")?.names[.chinese] == "维修登记处")
        #expect(try rig.service.store.syncState().configVersion == 4)
        #expect(try PublishedConfiguration.load(stateDirectory: state)?.version == 4)
        let broken = ConfigReply(
            site: "tower-a", version: 5, body: "[service repairs]\nprefix = lowercase\n", publishedAt: "2026-11-24T07:05:00.000Z")
        (ok, message) = CentralSync.applyPublished(broken, operations: rig.operations, stateDirectory: state)
        #expect(!ok)
        #expect(message.contains("configuration version 5 refused, version 4 keeps running"), "\(message)")
        #expect(message.contains("published configuration v5:2: prefix 'lowercase'"), "\(message)")
        #expect(rig.service.setup.publishedVersion == 4)
        #expect(try rig.service.store.syncState().configVersion == 4)
        #expect(try PublishedConfiguration.load(stateDirectory: state)?.version == 4, "the stored version stays")
        // SIGHUP reload keeps running the published version (over the reloaded local file).
        _ = rig.operations.reload()
        #expect(rig.service.setup.publishedVersion == 4)
        #expect(rig.service.setup.configuration.service("repairs")?.names[.chinese] == "维修登记处")
    }
}

/// The sync lines of `kioskctl status`.
@Suite("kioskctl status: sync")
struct SyncStatusTests {
    @Test func statusShowsCommandOutcomesTheCentreHasNotHeardYet() throws {
        let folder = makeTemporaryFolder("sync-status")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kiosk.conf"
        try PublishedConfigurationTests.local.write(toFile: path, atomically: true, encoding: .utf8)
        let setup = try KioskSetup.load(configPath: path, assets: assetsFolder).get()
        let store = try EventStore(path: folder + "/kiosk.sqlite")
        defer { store.close() }
        #expect(!CentralSync.statusText(store, setup).contains("not yet reported"))
        try store.recordCommandOutcome(CommandOutcome(commandID: 4, ok: true, message: "weather is rain", recordedAt: "2026-11-24T09:15:00.000Z"))
        try store.recordCommandOutcome(CommandOutcome(commandID: 5, ok: true, message: "synced", recordedAt: "2026-11-24T09:16:00.000Z"))
        let text = CentralSync.statusText(store, setup)
        #expect(text.contains("  2 command outcome(s) not yet reported to the centre (oldest 2026-11-24T09:15:00.000Z)\n"), "\(text)")
    }
}

/// `kioskd --check-config` on a site upgrading from PBKDF2 PIN hashes: it names each old line and
/// how to renew it, and still passes, so the kiosk starts and nobody loses their login.
@Suite("Check-config and old PIN hashes")
struct CheckConfigPINHashTests {
    @Test func oldHashesAreWarningsWithTheirLinesAndTheRenewal() throws {
        let folder = makeTemporaryFolder("check-config")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kiosk.conf"
        try "[staff 1001]\nname = 张敏\npin-hash = \(PINHash.demoHash1234)\n\n[staff 1002]\nname = 李华\npin-hash = \(PINHash.demoYescrypt1234)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let (report, status) = DaemonCommand.checkConfiguration(path: path, assets: assetsFolder)
        #expect(status == 0)
        let lines = report.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("\(path):3: warning: pin-hash of [staff 1001] is in the old pbkdf2-sha256 form") == true)
        #expect(lines.first?.contains("renew it: run `kioskctl hash-pin`") == true)
        #expect(lines.last?.hasPrefix("ok: \(path): ") == true)
        #expect(try KioskSetup.load(configPath: path, assets: assetsFolder).get().warnings.map(\.line) == [3])
    }

    @Test func theShippedConfigurationChecksWithoutWarnings() {
        let (report, status) = DaemonCommand.checkConfiguration(path: assetsFolder + "/kiosk.conf", assets: assetsFolder)
        #expect(status == 0)
        #expect(!report.contains("warning"))
        #expect(report.hasPrefix("ok: "))
    }

    @Test func aMalformedHashFailsTheCheckNamingItsLine() throws {
        let folder = makeTemporaryFolder("check-config")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kiosk.conf"
        try "[staff 1001]\nname = 张敏\npin-hash = $y$j9T$x$y\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (report, status) = DaemonCommand.checkConfiguration(path: path, assets: assetsFolder)
        #expect(status == 1)
        #expect(report.hasPrefix("\(path):3: pin-hash of [staff 1001] is not a valid yescrypt hash"))
    }

    @Test func hashPinPrintsAYescryptLineThatLogsIn() throws {
        var printed = ""
        let code = ControlCommand.main(["hash-pin", "2580"], output: { printed += $0 }, error: { _ in })
        #expect(code == 0)
        #expect(printed.hasPrefix("pin-hash = $y$j9T$"))
        let hash = String(printed.dropFirst("pin-hash = ".count).dropLast())
        #expect(PINHash.verify(pin: "2580", against: hash))
    }
}
