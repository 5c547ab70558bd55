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

/// Runs the kiosk in a text terminal: every station as a panel (the waiting-room board too), the
/// keyboard drives the focused one (Tab moves the focus among those that take keys), a one-second clock tick, redraws of only what changed (and a full
/// one after a resize), and the terminal restored on every way out (Ctrl-C, Ctrl-D, SIGTERM, a
/// crash signal).
public final class ConsoleFrontend {
    let service: KioskService
    let terminal: Terminal
    let clock: () -> Date
    var writer = AnsiFrameWriter()
    var decoder: TerminalKeyDecoder
    var focus = 0
    var lastSize = (columns: 0, rows: 0)

    public init(service: KioskService, terminal: Terminal = Terminal(), clock: @escaping () -> Date = Date.init) {
        self.service = service
        self.terminal = terminal
        self.clock = clock
        // keymap.conf's [terminal] bindings come before the built-in ones.
        decoder = TerminalKeyDecoder(keyMap: service.setup.terminalKeys)
    }

    /// Puts the terminal in raw mode and registers the keyboard, the clock tick and the redraw
    /// with `loop`; the loop stops on Ctrl-C / Ctrl-D or the end of input.
    public func attach(to loop: PollLoop) throws {
        try terminal.start()
        loop.addReader(fd: terminal.inputFD) { [unowned self, unowned loop] in
            guard let bytes = terminal.read(timeoutMilliseconds: 0) else { return loop.stop() }
            for input in decoder.feed(bytes) {
                switch input {
                case .interrupt:
                    loop.stop()
                case .tab:
                    focus = nextFocus(from: focus, step: 1)
                case .backTab:
                    focus = nextFocus(from: focus, step: -1)
                case .key(let key):
                    service.handle(.key(key, station: service.stations[focus], at: clock()))
                case .other:
                    break
                }
            }
        }
        loop.every(1) { [unowned self] in service.handle(.tick(clock())) }
        loop.afterEach = { [unowned self] in draw() }
    }

    /// The next station that takes keys, `step` 1 forward or -1 back: the board is shown but
    /// never focused, so Tab goes lobby, counters, lobby as before.
    func nextFocus(from focus: Int, step: Int) -> Int {
        let count = service.stations.count
        var next = focus
        for _ in 0..<count {
            next = (next + step + count) % count
            if service.stations[next].takesKeys { return next }
        }
        return focus
    }

    /// Gives the terminal back.
    public func detach() { terminal.restore() }

    func draw() {
        let size = terminal.size()
        if size != lastSize {
            writer.invalidate()
            lastSize = size
        }
        let canvas = DemoLayout.render(service.currentScreens(now: clock()), focus: focus, width: size.columns, height: size.rows,
                                       hint: service.setup.catalogs[service.setup.configuration.language].text("demo.hint"),
                                       underFirst: 1)
        let text = writer.frame(canvas)
        if !text.isEmpty { terminal.write(text) }
    }
}
