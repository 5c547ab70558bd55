#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskFramebuffer
import KioskKeypad
import KioskSystem

extension PollLoop: ReadinessWatcher {}

/// Runs the configured stations on real hardware: each `[station]` shows its screen (the lobby,
/// a counter or the waiting-room board) on its framebuffer or file display, and its keypad (evdev
/// or an evemu recording) drives that station (a board has none). Registered with the daemon's
/// poll loop: keypads are readers, redraws happen after each wake-up (at least every second, on
/// the clock tick: the board's flash and clock), and only changed rectangles reach the
/// framebuffers.
public final class StationFrontend {
    let service: KioskService
    let clock: () -> Date
    struct Running {
        var config: StationConfig
        var display: StationDisplay?
        var evdev: EvdevKeypad?
        var evemu: EvemuKeypad?
    }
    var stations: [Running] = []
    let fonts: FontLibrary
    var console: ConsoleOwnership?
    weak var watcherLoop: PollLoop?

    /// Opens every station's display and keypad. A display that cannot open is an error (the
    /// kiosk would be blind); a keypad that is not plugged in yet is waited for.
    public init(service: KioskService, stations configs: [StationConfig], evdevKeys: KeyMap, clock: @escaping () -> Date = Date.init) throws {
        self.service = service
        self.clock = clock
        // The glyph cache lives beside the database (nothing is written while the stored
        // state is refused: the store is then in memory).
        let folder = Path.folder(of: service.store.path)
        fonts = FontLibrary(cacheDirectory: service.storageRefusal == nil ? (folder.isEmpty ? "." : folder) : nil)
        for config in configs {
            var running = Running(config: config)
            if config.display != .terminal {
                let painter = ScreenPainter(fonts: try fonts.fonts(config.font))
                do { running.display = try StationDisplay.open(config.display, rotation: config.rotation, painter: painter) } catch {
                    throw DisplayError("[station \(config.name)]: \(error)")
                }
                let g = running.display!.framebuffer.geometry
                Log.info("station \(config.name) (\(config.role)): \(config.display) \(g.width)×\(g.height) \(g.format) stride \(g.lineLength), rotation \(config.rotation)")
            } else {
                Log.info("station \(config.name): display = terminal is shown only by kioskd --demo")
            }
            let keys = config.keys.map { KeyMap(bindings: $0) } ?? evdevKeys
            switch config.keypad {
            case .evdev(let path)?:
                running.evdev = Self.logged(EvdevKeypad(path: path, keyMap: keys), station: config.name)
            case .matching(let match)?:
                running.evdev = Self.logged(EvdevKeypad(matching: match, keyMap: keys), station: config.name)
            case .evemu(let path)?:
                let keypad = try EvemuKeypad(path: path, keyMap: keys)
                for p in keypad.recording.problemSummary() { Log.error("station \(config.name): \(path): \(p) (skipped)") }
                running.evemu = keypad
            case nil:
                break
            }
            stations.append(running)
        }
    }

    /// Sends a keypad's connects and disconnects to the log.
    static func logged(_ keypad: EvdevKeypad, station name: String) -> EvdevKeypad {
        keypad.onStatus = { status in
            switch status {
            case .connected(let device): Log.info("station \(name): keypad \(device) connected")
            case .disconnected(let reason): Log.error("station \(name): keypad: \(reason)")
            }
        }
        return keypad
    }

    /// Takes the console (when a real framebuffer is used) and registers keypads and redraws.
    public func attach(to loop: PollLoop, ownConsole: Bool) throws {
        watcherLoop = loop
        if ownConsole && stations.contains(where: { if case .framebuffer = $0.config.display { return true } else { return false } }) {
            do { console = try ConsoleOwnership() } catch { Log.error("kioskd: \(error); the kernel console may draw over the picture") }
            if let console, console.switchSignalFD >= 0 {
                loop.addReader(fd: console.switchSignalFD) { [unowned self] in
                    for change in console.handleSwitchSignal() {
                        for s in stations {
                            switch change {
                            case .released: s.display?.isActive = false
                            case .acquired: s.display?.redrawAll()
                            }
                        }
                        Log.info("console \(change == .released ? "switched away: not drawing" : "back: redrawn")")
                    }
                }
            }
        }
        for s in stations {
            let role = s.config.role
            let name = s.config.name
            s.evdev?.start(watcher: loop) { [unowned self] key in service.handle(.key(key, station: role, at: clock(), terminal: name), fromStation: name) }
            if let evemu = s.evemu {
                evemu.onFinished = { Log.info("station \(name): evemu recording finished") }
                try evemu.start(watcher: loop) { [unowned self] key in service.handle(.key(key, station: role, at: clock(), terminal: name), fromStation: name) }
            }
        }
        // Keypads that were not plugged in at start: the inotify watch is the main way back; this is the safety net.
        loop.every(2) { [unowned self] in for s in stations { s.evdev?.tryOpen() } }
        loop.every(1) { [unowned self] in service.handle(.tick(clock())) }
        let previous = loop.afterEach
        loop.afterEach = { [unowned self] in previous(); draw() }
    }

    /// `kioskd --restore-vt`: text mode and keyboard back on the current console.
    public static func restoreConsole() -> String { ConsoleOwnership.restore() }

    public func detach() {
        saveGlyphCaches()
        for s in stations { s.evdev?.stop(); s.evemu?.stop() }
        if let fd = console?.switchSignalFD, fd >= 0 { watcherLoop?.removeReader(fd: fd) }
        console?.release()
        console = nil
    }

    /// The screen a station shows now (with a storage problem on top, as the console shows it).
    /// `terminal`: the `[station]` name, which tells lobby terminals apart.
    public static func screen(for station: StationID, terminal: String = "", service: KioskService, now: Date) -> Screen {
        service.screen(for: station, terminal: terminal, now: now)
    }

    /// The picture size of `station`'s running display (nil: not shown on a framebuffer here).
    public func displaySize(_ station: StationConfig) -> (width: Int, height: Int)? {
        stations.first { $0.config.name == station.name }?.display.map { ($0.width, $0.height) }
    }

    /// False until the first frame is drawn: that frame shows no estimates.
    var firstFrameDrawn = false

    /// Every station's screen, changed areas only. The very first frame after start is drawn
    /// without estimates and before the history a `deferHistory` start left out (a simulating
    /// estimator and weeks of stored events cost more than the rest of the frame): it is on the
    /// glass at once after a power cut; then the history is loaded and every station drawn again
    /// with its estimates, in the same wake-up, before any key is handled.
    func draw() {
        let now = clock()
        let estimates = firstFrameDrawn
        for s in stations {
            guard let display = s.display else { continue }
            display.show(service.screen(for: s.config.role, terminal: s.config.name, now: now, estimates: estimates))
        }
        if !firstFrameDrawn {
            firstFrameDrawn = true
            service.loadDeferredHistory(now: now)
            draw()
            saveGlyphCaches()
        }
    }

    /// Keeps the glyphs drawn so far for the next start's first frame: after the first settled
    /// frame (a power cut may come any time) and at a clean stop.
    func saveGlyphCaches() {
        for problem in fonts.saveGlyphCaches() { Log.error("kioskd: \(problem)") }
    }
}
