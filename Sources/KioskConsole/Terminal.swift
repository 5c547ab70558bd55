import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

import Glibc

// MARK: - State shared with signal handlers
//
// Signal handlers may only use async-signal-safe calls and must not allocate, take locks or touch
// lazily initialised Swift globals for the first time. Everything the handler needs is therefore
// allocated up front, before any handler is installed, and reached through one pointer that is
// written once (`TerminalRestoreState.shared` is forced in `Terminal.init`, so the handler only
// ever takes the fast path of its one-time initialisation).

struct TerminalRestoreState {
    /// 1 while the terminal is modified and needs restoring.
    var active: Int32 = 0
    var hasTermios: Int32 = 0
    var inputFD: Int32 = STDIN_FILENO
    var outputFD: Int32 = STDOUT_FILENO
    var termios = Glibc.termios()
    /// Bytes that undo the screen changes: reset SGR, show cursor, leave alternate screen.
    var bytes: UnsafeMutablePointer<UInt8>? = nil
    var byteCount: Int = 0
}

enum TerminalRestoreGlobals {
    nonisolated(unsafe) static let shared: UnsafeMutablePointer<TerminalRestoreState> = {
        let p = UnsafeMutablePointer<TerminalRestoreState>.allocate(capacity: 1)
        p.initialize(to: TerminalRestoreState())
        let text = Array(Terminal.restoreSequence.utf8)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
        bytes.initialize(from: text, count: text.count)
        p.pointee.bytes = bytes
        p.pointee.byteCount = text.count
        return p
    }()
}

/// Restores the terminal from the preallocated state using only `tcsetattr` and `write`.
/// Safe to call from a signal handler; does nothing when the terminal is not modified.
private func restoreTerminalFromSignalContext() {
    let state = TerminalRestoreGlobals.shared
    guard state.pointee.active != 0 else { return }
    state.pointee.active = 0
    if state.pointee.hasTermios != 0 {
        _ = tcsetattr(state.pointee.inputFD, TCSAFLUSH, &state.pointee.termios)
    }
    if let bytes = state.pointee.bytes {
        _ = Posix.writeAllFromSignalHandler(state.pointee.outputFD, bytes, count: state.pointee.byteCount)
    }
}

private let fatalSignalHandler: @convention(c) (Int32) -> Void = { sig in
    let savedErrno = errno
    restoreTerminalFromSignalContext()
    errno = savedErrno
    _ = signal(sig, SIG_DFL)
    _ = raise(sig)
}

private let atExitHandler: @convention(c) () -> Void = {
    restoreTerminalFromSignalContext()
}

/// The controlling terminal in full-screen raw mode: no echo, no line editing, no signal keys
/// (Ctrl-C arrives as byte 3 and the daemon decides), alternate screen, hidden cursor.
///
/// The terminal is put back the way it was on every exit path: `restore()`, `deinit`, `exit`
/// (`atexit`), and the signals in `fatalSignals` (handlers restore with async-signal-safe calls,
/// reset the signal to its default action and re-raise it).
public final class Terminal: @unchecked Sendable {
    /// SGR reset, show cursor, leave the alternate screen.
    public static let restoreSequence = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
    /// Enter the alternate screen, hide the cursor, reset SGR, clear, home.
    public static let enterSequence = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[0m\u{1B}[2J\u{1B}[H"
    /// Signals after which the terminal is restored before the process dies.
    public static let fatalSignals: [Int32] = [
        SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP,
    ]

    public let inputFD: Int32
    public let outputFD: Int32
    private let lock = Lock()
    private var started = false
    private var resizeSource: DispatchSourceSignal?
    nonisolated(unsafe) private static var atExitInstalled = false

    public init(inputFD: Int32 = STDIN_FILENO, outputFD: Int32 = STDOUT_FILENO) {
        self.inputFD = inputFD
        self.outputFD = outputFD
        _ = TerminalRestoreGlobals.shared  // allocate the handler state now, not in a handler
    }

    deinit {
        restore()
        resizeSource?.cancel()
    }

    /// True when both input and output are terminals.
    public var isTTY: Bool { isatty(inputFD) == 1 && isatty(outputFD) == 1 }

    /// Enters raw mode and the alternate screen and installs the restore handlers for `signals`
    /// (pass `[]` when the caller handles signals itself and calls `restore()`).
    public func start(restoreOnSignals signals: [Int32] = Terminal.fatalSignals) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        let state = TerminalRestoreGlobals.shared
        state.pointee.inputFD = inputFD
        state.pointee.outputFD = outputFD
        state.pointee.hasTermios = 0

        var original = Glibc.termios()
        let fd = inputFD
        switch valueOrErrno({ tcgetattr(fd, &original) }) {
        case .success:
            state.pointee.termios = original
            state.pointee.hasTermios = 1
            var raw = Terminal.rawAttributes(from: original)
            do throws(SystemError) { _ = try syscall("tcsetattr") { tcsetattr(fd, TCSAFLUSH, &raw) } } catch {
                throw TerminalError(cause: error)
            }
        case .failure(let code):
            if isatty(inputFD) == 1 { throw TerminalError(cause: SystemError(code, call: "tcgetattr")) }
        }
        state.pointee.active = 1
        started = true

        if !Terminal.atExitInstalled {
            Terminal.atExitInstalled = true
            atexit(atExitHandler)
        }
        for sig in signals { _ = signal(sig, fatalSignalHandler) }
        writeAll(Terminal.enterSequence)
    }

    /// Puts the terminal back: original attributes, cursor shown, main screen, SGR reset.
    /// Idempotent; safe to call whether or not `start()` succeeded.
    public func restore() {
        lock.lock()
        defer { lock.unlock() }
        guard started else { return }
        started = false
        // Same code path as the handlers: it clears `active` so they will not restore twice.
        restoreTerminalFromSignalContext()
    }

    /// The attributes for raw input with sane output: like `cfmakeraw`, but output processing
    /// (`OPOST`/`ONLCR`) stays on and reads return as soon as one byte is available.
    public static func rawAttributes(from original: Glibc.termios) -> Glibc.termios {
        var t = original
        t.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        t.c_oflag |= tcflag_t(OPOST | ONLCR)
        t.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        t.c_cflag &= ~tcflag_t(CSIZE | PARENB)
        t.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        return t
    }

    /// The terminal size from `TIOCGWINSZ`, else `COLUMNS`/`LINES`, else 80×24.
    public func size() -> (columns: Int, rows: Int) {
        var ws = winsize()
        for fd in [outputFD, inputFD] {
            if (try? syscall("ioctl TIOCGWINSZ") { ioctl(fd, UInt(TIOCGWINSZ), &ws) }) != nil, ws.ws_col > 0, ws.ws_row > 0 {
                return (Int(ws.ws_col), Int(ws.ws_row))
            }
        }
        let env = ProcessInfo.processInfo.environment
        let columns = env["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 80
        let rows = env["LINES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 24
        return (columns, rows)
    }

    /// Calls `handler` on `queue` whenever the terminal is resized (SIGWINCH). Replaces any
    /// previous handler. The caller typically calls `AnsiFrameWriter.invalidate()` and redraws.
    public func onResize(queue: DispatchQueue, _ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        resizeSource?.cancel()
        // The default action of SIGWINCH is to ignore it, but a dispatch source only sees signals
        // that are not handled elsewhere: ignore it explicitly before creating the source.
        _ = signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        resizeSource = source
    }

    /// Stops delivering resize events.
    public func cancelResize() {
        lock.lock()
        defer { lock.unlock() }
        resizeSource?.cancel()
        resizeSource = nil
    }

    /// Writes a string to the output, going on after partial writes and interrupting signals.
    public func write(_ s: String) { writeAll(s) }

    private func writeAll(_ s: String) {
        var bytes = Array(s.utf8)
        Terminal.writeAll(fd: outputFD, &bytes)
    }

    /// Writes all of `bytes` to `fd`, going on after partial writes and waiting for room when a
    /// non-blocking terminal is full. Returns false if the descriptor failed (closed terminal…).
    @discardableResult
    public static func writeAll(fd: Int32, _ bytes: inout [UInt8]) -> Bool {
        (try? Posix.writeAll(fd, bytes, whenFull: .waitForRoom(milliseconds: 100))) == bytes.count
    }

    /// Reads whatever input is available, waiting at most `timeoutMilliseconds` (-1: forever).
    /// Returns [] on timeout, nil at end of input or on error.
    public func read(timeoutMilliseconds: Int32 = -1) -> [UInt8]? {
        var p = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)]
        guard let ready = try? Posix.poll(&p, timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        if ready == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: 256)
        switch try? Posix.read(inputFD, into: &buffer) {
        case .processed(let n)? where n > 0: return Array(buffer[0..<n])
        case .wouldBlock?: return []
        default: return nil
        }
    }
}

/// The terminal could not be put into raw mode: what went wrong and what to do, and the failed
/// call (`tcgetattr`, `tcsetattr`).
public struct TerminalError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var cause: SystemError

    public init(cause: SystemError) {
        self.cause = cause
        message = "cannot put the terminal into raw mode (\(cause.call): \(cause.code)); run kioskd in a terminal, or give the stations a display (display = fb:/dev/fb0) in kiosk.conf"
    }

    public var description: String { message }
}
