#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskStorage
import KioskSync

/// `kioskctl check`, `backup` and `restore`: the operator's tools for the database itself. They
/// need no configuration, so they work whatever state kiosk.conf is in.
extension ControlCommand {
    static let storageCommands = ["check", "backup", "restore"]

    static func storageCommand(
        _ command: String, _ options: [String], stateDirectory: String, configPath: String?, assets: String?, output: (String) -> Void
    ) throws {
        let path = stateDirectory + "/kiosk.sqlite"
        switch command {
        case "check":
            try walkOptions(options, usage: "check takes no options") { _, _ in false }
            let report = StorageCheckReport.run(path: path)
            output(report.text)
            if !report.isSound {
                throw Failure(description: "\(path) is damaged: \(report.problems.count) finding(s), listed above", code: 65)
            }
        case "backup":
            guard options.count <= 1, options.first.map({ !$0.hasPrefix("-") }) ?? true else {
                throw Failure(description: "usage: kioskctl backup [FILE] (default: a new file in \(stateDirectory)/backups/)", code: 64)
            }
            let store = try openForReading(path, stateDirectory: stateDirectory)
            defer { store.close() }
            do {
                if let file = options.first {
                    try store.backup(to: file)
                    output("backup written: \(file)\n")
                } else {
                    output("backup written: \(try store.backup(kind: "manual"))\n")
                }
            } catch {
                throw Failure(description: "the backup failed: \(error)", code: 74)
            }
        case "restore":
            try restore(options, path: path, stateDirectory: stateDirectory, configPath: configPath, assets: assets, output: output)
        default:
            break
        }
    }

    static let restoreUsage = "usage: kioskctl restore FILE [--accept-loss] | kioskctl restore [FILE] --from-central [--skip-numbers N]"

    /// `kioskctl restore`: a backup, the centre's copy (after the backup's last event when both
    /// are given), then `Restore` writes the new log and says what was lost.
    static func restore(
        _ options: [String], path: String, stateDirectory: String, configPath: String?, assets: String?, output: (String) -> Void
    ) throws {
        var file: String?
        var acceptLoss = false, fromCentral = false
        var skipNumbers = 50
        var i = 0
        while i < options.count {
            let o = options[i]
            switch o {
            case "--accept-loss": acceptLoss = true
            case "--from-central": fromCentral = true
            case "--skip-numbers":
                i += 1
                guard i < options.count, let n = Int(options[i]), (0...999).contains(n) else {
                    throw Failure(description: "--skip-numbers needs a count of ticket numbers from 0 to 999; \(restoreUsage)", code: 64)
                }
                skipNumbers = n
            default:
                guard file == nil && !o.hasPrefix("-") else {
                    throw Failure(description: "unknown option '\(o)'; \(restoreUsage)", code: 64)
                }
                file = o
            }
            i += 1
        }
        guard file != nil || fromCentral else {
            let folder = Backups.folder(forDatabase: path)
            let known = Backups.list(folder: folder)
            let list = known.isEmpty ? " (none in \(folder))" : ":\n" + known.map { "  \(folder)/\($0)\n" }.joined()
            throw Failure(description: "\(restoreUsage); backups\(list)", code: 64)
        }
        var central: Restore.CentralCopy?
        var today: String?
        if fromCentral {
            let setup: KioskSetup
            switch KioskSetup.load(configPath: configPath, assets: assets, stateDirectory: nil) {
            case .success(let s): setup = s
            case .failure(let e): throw Failure(description: "configuration errors:\n" + e.description, code: 78)
            }
            guard let sync = CentralSync.workerOptions(setup.configuration) else {
                throw Failure(
                    description: "--from-central needs the centre: set central-url and token-file in [kiosk] of kiosk.conf (or pass --config)", code: 78)
            }
            if Restore.kioskdUses(database: path) {
                throw Failure(description: "not restored: a kioskd is using this state folder; stop it first (systemctl stop kioskd), then run kioskctl restore again", code: 75)
            }
            let after = file.flatMap { try? Restore.lastSeq(of: $0) } ?? 0
            do {
                central = try sync.fetchCentralCopy(after: after)
            } catch {
                throw Failure(description: "not restored: cannot read this kiosk's events from the centre: \(error)", code: 69)
            }
            today = LocalCalendar(setup.configuration).businessDay(of: Date())
        }
        do {
            let outcome = try Restore.run(
                backup: file, central: central, into: path, acceptLoss: acceptLoss, today: today, unknownLossNumbers: skipNumbers)
            output(outcome.text + "start kioskd again (systemctl start kioskd)\n")
        } catch let e as StorageError {
            throw Failure(description: "not restored: \(e)", code: e.kind == .locked ? 75 : 65)
        }
    }

    /// Opens the database read-only for a command; an error names the damage (exit 65), and only
    /// a missing file suggests a wrong --state-dir (exit 66).
    static func openForReading(_ path: String, stateDirectory: String) throws -> EventStore {
        do { return try EventStore(readOnlyPath: path) } catch let e as StorageError {
            switch e.kind {
            case .missingFile:
                throw Failure(description: "\(e)\n(no kiosk state in \(stateDirectory)? pass --state-dir DIR, the folder given to kioskd)", code: 66)
            case .corrupt, .lostEvents, .notAKioskDatabase:
                throw Failure(description: "\(e)", code: 65)
            default:
                throw Failure(description: "\(e)", code: 66)
            }
        }
    }
}
