#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
#if canImport(Glibc)
import Glibc
#endif

/// Everything that makes `kioskd` operable as a service, attached to its poll loop: the control
/// socket `kioskctl` talks to, SIGHUP reload (a broken configuration is rejected and the old one
/// keeps running), SIGTERM/SIGINT as a clean stop, and the systemd notify protocol (`READY=1`
/// after the first frame, `WATCHDOG=1` from the loop's own timer, so a hung loop is restarted).
public final class DaemonOperations {
    public struct Options: Sendable {
        /// Where the control socket lives (`/run/kiosk`, systemd's `RuntimeDirectory=`).
        public var runtimeDirectory: String
        /// The configuration to reload (nil: the default path if it exists, as at start).
        public var configPath: String?
        public var assets: String?
        /// A language given on the command line survives a reload.
        public var language: Language?
        public var stateDirectory: String

        public init(runtimeDirectory: String, configPath: String?, assets: String?, language: Language?, stateDirectory: String) {
            self.runtimeDirectory = runtimeDirectory
            self.configPath = configPath
            self.assets = assets
            self.language = language
            self.stateDirectory = stateDirectory
        }
    }

    public static let socketName = ControlSocketLocation.name
    public static let defaultRuntimeDirectory = ControlSocketLocation.defaultDirectory

    let service: KioskService
    let options: Options
    let notifier: SystemdNotifier
    let clock: () -> Date
    let started: Date
    private var server: ControlServer?
    private var reloader: ConfigReloader?
    private var signals: SignalPipe?
    private var printing: TicketPrinting?
    /// The lobby's voice call-outs.
    public private(set) var callOuts: CallOuts?
    private var ready = false
    /// The outcome of the last reload, for `kioskctl status`.
    private var lastReload: String?
    /// Answers `kioskctl sync`; the sync worker replaces it when central sync is configured.
    public var onSync: () -> ControlResponse = { .error("sync not configured") }
    /// The picture size of a station's running display (`StationFrontend.displaySize`), for
    /// screenshots; nil: the configured size.
    public var displaySize: (StationConfig) -> (width: Int, height: Int)? = { _ in nil }

    public var socketPath: String { options.runtimeDirectory + "/" + DaemonOperations.socketName }

    public init(service: KioskService, options: Options, notifier: SystemdNotifier = SystemdNotifier(), clock: @escaping () -> Date = Date.init) {
        self.service = service
        self.options = options
        self.notifier = notifier
        self.clock = clock
        self.started = clock()
    }

    /// Registers the socket, the signals and the watchdog with `loop`. Call after the display is
    /// attached (its first frame is what `READY=1` waits for). A socket that cannot be created is
    /// logged and skipped: residents are still served, only the shell commands are missing.
    /// `handleSignals: false` leaves the process's signal handlers alone (tests that run many).
    public func attach(to loop: PollLoop, handleSignals: Bool = true) {
        let printing = TicketPrinting(service: service, clock: clock)
        printing.attach()
        self.printing = printing
        let callOuts = CallOuts(service: service, clock: clock)
        callOuts.attach(to: loop)
        self.callOuts = callOuts
        let (options, language) = (self.options, self.options.language)
        let reloader = ConfigReloader(
            load: { DaemonOperations.load(options, language: language) },
            apply: { [unowned self] in apply($0) },
            answer: { [unowned self] waiters, response in
                for case .client(let id) in waiters { server?.answer(id, response) }
            },
            starting: { [unowned self] in notifier.notify("RELOADING=1") })
        reloader.attach(to: loop)
        self.reloader = reloader
        do {
            try FileManager.default.createDirectory(atPath: options.runtimeDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            let server = try ControlServer(path: socketPath, answerLater: { [unowned self] in handle($0, from: $1) })
            server.attach(to: loop)
            self.server = server
            Log.info("control socket \(socketPath)")
        } catch {
            Log.error("control socket not available, kioskctl cannot reach this daemon: \(error)")
        }
        if handleSignals { do {
            let signals = try SignalPipe()
            signals.attach(to: loop) { [unowned loop] signal in
                switch signal {
                case SIGHUP:
                    reloader.request(.signal)
                default:
                    Log.notice("signal \(signal): stopping")
                    loop.stop()
                }
            }
            self.signals = signals
        } catch {
            Log.error("signals: \(error); SIGHUP reload is not available")
        } }
        if let interval = notifier.watchdogInterval {
            loop.every(interval) { [unowned self] in notifier.notify("WATCHDOG=1") }
            Log.info("systemd watchdog ping every \(interval) s")
        }
        let draw = loop.afterEach
        loop.afterEach = { [unowned self] in
            draw()
            if !ready {
                ready = true
                notifier.notify("READY=1\nSTATUS=serving kiosk \(service.setup.configuration.kioskID)")
            }
        }
    }

    /// Tells systemd we are stopping and removes the socket.
    public func detach() {
        notifier.notify("STOPPING=1")
        server?.close()
        server = nil
        reloader?.detach()
        reloader = nil
        signals?.close()
        signals = nil
    }

    /// Answers one control request on the loop's thread; nil when the answer comes later (a
    /// reload: `ConfigReloader` loads off the loop and answers `client` through the server).
    public func handle(_ parsed: Result<ControlRequest, ControlRequest.ParseError>, from client: ControlServer.ClientID? = nil) -> ControlResponse? {
        let request: ControlRequest
        switch parsed {
        case .failure(let e): return .error(e.description)
        case .success(let r): request = r
        }
        let now = clock()
        switch request {
        case .ping:
            let config = service.setup.configuration
            return .ok("""
                kioskd pid \(getpid()), up \(Int(now.timeIntervalSince(started))) s
                kiosk \(config.kioskID) (\(config.siteName)), config \(service.setup.configSource)
                state \(options.stateDirectory)\(service.storageRefusal.map { " REFUSED (nothing is stored, stations show the paused screen): \($0)" } ?? "")
                last reload: \(lastReload ?? "none")\(reloadCounts)
                printer: \(TicketPrinting.describePrinters(config))\(service.machine.state.printerProblem.map { " (problem: \($0))" } ?? "")
                call-outs: \(config.announceCommand == nil ? "off" : callOuts?.history.last ?? "none yet")
                """)
        case .counter(let command, let n):
            service.handle(.counterCommand(command, counter: n, at: now))
            if let refusal = service.lastRefusal { return .error(refusal) }
            if let problem = service.storageProblem { return .error("not stored: \(problem)") }
            let status = service.machine.state.counters[n]?.status.rawValue ?? "?"
            return .ok("counter \(n) is \(status)")
        case .weather(let weather):
            service.handle(.setWeather(weather, at: now))
            if let problem = service.storageProblem { return .error("not stored: \(problem)") }
            return .ok("weather is \(service.machine.state.weather.rawValue)")
        case .reload:
            guard let client, let reloader else { return reload() }
            reloader.request(.client(client))
            return nil
        case .sync:
            return onSync()
        case .screenshot(let station, let size):
            return screenshot(station, size: size, now: now)
        }
    }

    /// Loads the configuration again and applies it at once, on the caller's thread (the socket
    /// and SIGHUP go through `ConfigReloader`, which loads off the loop and coalesces).
    public func reload() -> ControlResponse {
        notifier.notify("RELOADING=1")
        return apply(Self.load(options, language: options.language))
    }

    /// Reads and checks the configuration as at start (any thread: it touches only files).
    static func load(_ options: Options, language: Language?) -> Result<KioskSetup, ConfigurationErrors> {
        KioskSetup.load(configPath: options.configPath, assets: options.assets, stateDirectory: options.stateDirectory).map {
            var setup = $0
            if let language { setup.configuration.language = language }
            return setup
        }
    }

    /// Swaps in a loaded configuration, on the loop's thread; a rejected one is logged line by
    /// line and the running one stays. Tells systemd READY=1 again either way.
    func apply(_ loaded: Result<KioskSetup, ConfigurationErrors>) -> ControlResponse {
        defer { notifier.notify("READY=1") }
        switch loaded {
        case .failure(let e):
            let lines = e.errors.map(\.description)
            Log.error("reload rejected, the running configuration stays:\n" + lines.joined(separator: "\n"))
            lastReload = "rejected at \(clockTime()) (\(lines.count) error(s); the previous configuration runs)"
            return .error("reload rejected, the running configuration stays:\n" + lines.joined(separator: "\n"))
        case .success(let setup):
            if let problem = setup.publishedProblem { Log.error("reload: \(problem)") }
            for warning in setup.warnings { Log.warning("reload: \(warning)") }
            do {
                try service.reload(setup, now: clock())
            } catch {
                Log.error("reload rejected, the stored events could not be read: \(error)")
                lastReload = "rejected at \(clockTime()) (stored events unreadable)"
                return .error("reload rejected, the stored events could not be read: \(error)")
            }
            let c = setup.configuration
            if c.centralURL != nil { try? service.store.recordConfigVersion(setup.publishedVersion) }
            lastReload = "ok at \(clockTime()) from \(setup.configSource)"
            Log.notice("reloaded \(setup.configSource): \(c.services.count) services, \(c.counters.count) counters, \(c.staff.count) staff")
            return .ok("reloaded \(setup.configSource): \(c.services.count) services, \(c.counters.count) counters, \(c.staff.count) staff")
        }
    }

    /// ", 320 requests answered by 4 loads": a flood of reloads is coalesced (`ConfigReloader`).
    var reloadCounts: String {
        guard let r = reloader, r.requests > 0 else { return "" }
        return " (\(r.requests) request\(r.requests == 1 ? "" : "s") answered by \(r.loads) load\(r.loads == 1 ? "" : "s") since start)"
    }

    private func clockTime() -> String { LocalCalendar(service.setup.configuration).clock(clock()) }
}
