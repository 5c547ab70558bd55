#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskStorage

/// `kioskctl check`, `backup` and `restore`: the operator's tools for the database itself. They
/// need no configuration, so they work whatever state kiosk.conf is in.
extension ControlCommand {
    static let storageCommands = ["check", "backup", "restore"]

    static func storageCommand(_ command: String, _ options: [String], stateDirectory: String, output: (String) -> Void) throws {
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
            var file: String?
            var acceptLoss = false
            for o in options {
                if o == "--accept-loss" { acceptLoss = true } else if file == nil && !o.hasPrefix("-") { file = o } else {
                    throw Failure(description: "unknown option '\(o)'; usage: kioskctl restore FILE [--accept-loss]", code: 64)
                }
            }
            guard let file else {
                let known = Backups.list(folder: Backups.folder(forDatabase: path))
                let list = known.isEmpty ? " (none in \(Backups.folder(forDatabase: path)))" : ":\n" + known.map { "  \(Backups.folder(forDatabase: path))/\($0)\n" }.joined()
                throw Failure(description: "usage: kioskctl restore FILE [--accept-loss]; backups\(list)", code: 64)
            }
            do {
                let outcome = try Restore.run(backup: file, into: path, acceptLoss: acceptLoss)
                output(outcome.text + "start kioskd again (systemctl start kioskd)\n")
            } catch let e as StorageError {
                throw Failure(description: "not restored: \(e)", code: e.kind == .locked ? 75 : 65)
            }
        default:
            break
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
