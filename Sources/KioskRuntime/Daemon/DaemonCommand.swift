#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskConsole
import KioskCore
import KioskStorage
import KioskSystem

/// `kioskd`'s command line. Parsing is pure and throws `UsageError`; only `main` prints and exits.
public struct DaemonOptions: Equatable {
    public var demo = false
    public var stateDirectory: String?
    public var configPath: String?
    public var assets: String?
    public var checkConfig: String?
    public var checkDefaults = false
    public var language: Language?
    public var help = false
    /// Put the console back in text mode and exit (for systemd's ExecStopPost=).
    public var restoreVT = false
    /// Folder of the control socket (default /run/kiosk; the state folder with --demo).
    public var runtimeDirectory: String?

    public static let usage = """
    Usage: kioskd [--demo] [--state-dir DIR] [--config PATH] [--assets DIR] [--language zh-Hans|en]
           kioskd --check-config [PATH]

      --demo              run every station (lobby and counters) as panels in this terminal;
                          Tab moves the focus. State goes to a throwaway folder unless --state-dir.
      --state-dir DIR     where kiosk.sqlite lives (default /var/lib/kiosk)
      --config PATH       configuration file (default /etc/kiosk/kiosk.conf; built-in defaults if absent)
      --assets DIR        site assets: messages/*.catalog, keymap.conf (default: $KIOSK_ASSETS,
                          /usr/share/kiosk, or the Kiosk/ folder of the source tree)
      --language L        language of the stations: zh-Hans (default) or en
      --restore-vt        put the console back in text mode (after a killed kioskd; ExecStopPost=)
      --runtime-dir DIR   where the control socket for kioskctl lives (default /run/kiosk;
                          with --demo: the state folder)
      --check-config [PATH]  validate the configuration, catalogs and key map, then exit (0 = ok)
      --help              this text
    """

    public struct UsageError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ arguments: [String]) throws -> DaemonOptions {
        var o = DaemonOptions()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < arguments.count, !arguments[i].hasPrefix("--") else { throw UsageError(description: "\(flag) needs a value; see kioskd --help") }
            return arguments[i]
        }
        while i < arguments.count {
            let arg = arguments[i]
            switch arg {
            case "--demo": o.demo = true
            case "--state-dir": o.stateDirectory = try value(arg)
            case "--config": o.configPath = try value(arg)
            case "--assets": o.assets = try value(arg)
            case "--runtime-dir": o.runtimeDirectory = try value(arg)
            case "--language":
                let v = try value(arg)
                guard let l = Language(rawValue: v) else { throw UsageError(description: "--language \(v): use zh-Hans or en") }
                o.language = l
            case "--check-config":
                if i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") { o.checkConfig = try value(arg) } else { o.checkDefaults = true }
            case "--help", "-h": o.help = true
            case "--restore-vt": o.restoreVT = true
            default:
                throw UsageError(description: "unknown option '\(arg)'; see kioskd --help")
            }
            i += 1
        }
        return o
    }
}

/// The daemon's composition root: parse, load, open storage, run the console. Returns the exit code.
public enum DaemonCommand {
    /// What `kioskd --check-config` prints and its exit status: the warnings (the kiosk still
    /// starts: exit 0) and an `ok:` summary, or every error (exit 1).
    public static func checkConfiguration(path: String?, assets: String?) -> (report: String, status: Int32) {
        switch KioskSetup.load(configPath: path, assets: assets) {
        case .success(let s):
            let warnings = s.warnings.map { "\($0)\n" }.joined()
            return (warnings + "ok: \(s.configSource): \(s.configuration.services.count) services, \(s.configuration.counters.count) counters, \(s.configuration.staff.count) staff; assets \(s.assets)\n", 0)
        case .failure(let e):
            return (e.errors.map(\.description).joined(separator: "\n") + "\n", 1)
        }
    }

    public static func main(_ arguments: [String]) -> Int32 {
        let options: DaemonOptions
        do { options = try DaemonOptions.parse(arguments) } catch {
            Log.error("kioskd: \(error)")
            return 64
        }
        if options.help { writeStdout(DaemonOptions.usage + "\n"); return 0 }
        if options.restoreVT { writeStdout(StationFrontend.restoreConsole() + "\n"); return 0 }
        if options.checkConfig != nil || options.checkDefaults {
            let (report, status) = checkConfiguration(path: options.checkConfig, assets: options.assets)
            writeStdout(report)
            return status
        }
        let stateDirectory: String
        if let dir = options.stateDirectory {
            stateDirectory = dir
        } else if options.demo {
            stateDirectory = Path.join(getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp", "kiosk-demo-\(getpid())")
        } else {
            stateDirectory = "/var/lib/kiosk"
        }
        var setup: KioskSetup
        switch KioskSetup.load(configPath: options.configPath, assets: options.assets, stateDirectory: stateDirectory) {
        case .success(let s): setup = s
        case .failure(let e):
            Log.error("kioskd: the configuration has errors, not starting:\n" + e.errors.map(\.description).joined(separator: "\n"))
            return 78
        }
        if let problem = setup.publishedProblem { Log.error("kioskd: \(problem)") }
        for warning in setup.warnings { Log.warning("kioskd: \(warning)") }
        if let l = options.language { setup.configuration.language = l }
        // Stations with a framebuffer or file display run on them; otherwise every station is a
        // panel in this terminal. On displays the first frame comes before the history
        // (`KioskService.loadDeferredHistory`, called by `StationFrontend.draw`).
        let hardware = options.demo ? [] : setup.configuration.stations.filter { $0.display != .terminal }
        let service: KioskService
        var transientRefusal = false
        do { service = try KioskService(setup: setup, stateDirectory: stateDirectory, now: Date(), deferHistory: !hardware.isEmpty) } catch {
            transientRefusal = (error as? StorageError).map { [.permission, .io, .locked].contains($0.kind) } ?? true
            // Refused, not replaced: the stations show "please ask at the counter", the log says why.
            let todo = transientRefusal
                ? "Fix what the line above says; kioskd looks again every 30 s and starts afresh by itself once the folder takes writes."
                : "Stop kioskd, run `kioskctl --state-dir \(stateDirectory) check`, fix or `kioskctl restore` a backup from \(stateDirectory)/backups/, then start kioskd again."
            Log.error("""
                kioskd: REFUSING the stored state in \(stateDirectory): \(error)
                kioskd: nothing is stored and no ticket is given; every station shows "暂停取号，请到窗口咨询 / please ask at the counter". \(todo)
                """)
            do { service = try KioskService(setup: setup, refusing: "\(error)", stateDirectory: stateDirectory, now: Date()) } catch {
                Log.error("kioskd: cannot even open an in-memory store: \(error)")
                return 73
            }
        }
        Log.info("kioskd: kiosk \(setup.configuration.kioskID), config \(setup.configSource), state \(stateDirectory)")
        let terminal = Terminal()
        guard terminal.isTTY || !hardware.isEmpty else {
            Log.error("kioskd: no station has a display and stdin/stdout is not a terminal; give stations a display (display = fb:/dev/fb0 in a [station NAME] section of kiosk.conf) or run kioskd in a terminal")
            return 66
        }
        // Log lines written to the terminal would tear the screen: send them to a file while it is drawn.
        let logPath = stateDirectory + "/kioskd.log"
        if isatty(STDERR_FILENO) == 1 {
            if let fd = try? Posix.open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode: 0o640) {
                _ = try? syscall("dup2", path: logPath) { dup2(fd, STDERR_FILENO) }
                Posix.close(fd)
            }
        }
        let loop = PollLoop()
        let console = hardware.isEmpty ? ConsoleFrontend(service: service, terminal: terminal) : nil
        do { try console?.attach(to: loop) } catch {
            terminal.restore()
            Log.error("kioskd: terminal: \(error)")
            return 74
        }
        var stations: StationFrontend?
        if !hardware.isEmpty {
            do {
                stations = try StationFrontend(service: service, stations: hardware, evdevKeys: setup.evdevKeys)
                try stations?.attach(to: loop, ownConsole: true)
            } catch {
                stations?.detach()
                Log.error("kioskd: \(error)")
                return 74
            }
        }
        let operations = DaemonOperations(service: service, options: DaemonOperations.Options(
            runtimeDirectory: ControlSocketLocation.daemonDirectory(runtimeDirectory: options.runtimeDirectory, demo: options.demo, stateDirectory: stateDirectory),
            configPath: options.configPath, assets: options.assets, language: options.language, stateDirectory: stateDirectory))
        if let stations { operations.displaySize = { [unowned stations] in stations.displaySize($0) } }
        operations.attach(to: loop)
        let centralSync = service.storageRefusal != nil ? nil : CentralSync.start(setup: setup, stateDirectory: stateDirectory, operations: operations, loop: loop)
        // A read-only or full disk, or a lock, may pass (a disk mounted late, space freed): look
        // again every 30 s and, once the folder takes a writer, exit 75 so that systemd
        // (Restart=on-failure) starts kioskd afresh on it. Damage never passes by itself.
        var status: Int32 = 0
        if transientRefusal {
            loop.every(30) {
                guard let store = try? EventStore(path: stateDirectory + "/kiosk.sqlite", owner: true) else { return }
                store.close()
                Log.notice("kioskd: the state folder \(stateDirectory) is usable again; exiting (75) to start afresh on it")
                status = 75
                loop.stop()
            }
        }
        loop.run()
        centralSync?.stop()
        operations.detach()
        console?.detach()
        stations?.detach()
        service.waitForBackup()
        service.store.close()
        if options.demo && options.stateDirectory == nil { writeStdout("Demo state kept in \(stateDirectory) (inspect with: kioskctl --state-dir \(stateDirectory) events; log: \(logPath))\n") }
        return status
    }
}
