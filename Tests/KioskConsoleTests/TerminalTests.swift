import Foundation
import Glibc
import Testing

@testable import KioskConsole

/// A pseudo-terminal pair for testing raw mode and window size without a real terminal.
struct PseudoTerminal {
    let master: Int32
    let slave: Int32

    init?() {
        // posix_openpt/grantpt/unlockpt/ptsname are not imported by Glibc: use the Linux ioctls.
        let tiocgptn: UInt = 0x8004_5430  // _IOR('T', 0x30, unsigned int)
        let tiocsptlck: UInt = 0x4004_5431  // _IOW('T', 0x31, int)
        let m = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard m >= 0 else { return nil }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard ioctl(m, tiocsptlck, &unlock) == 0, ioctl(m, tiocgptn, &number) == 0 else {
            _ = Glibc.close(m)
            return nil
        }
        let s = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard s >= 0 else { _ = Glibc.close(m); return nil }
        master = m; slave = s
    }

    func close() { _ = Glibc.close(master); _ = Glibc.close(slave) }

    /// Everything the terminal side wrote so far (the master's input), without blocking.
    func drain() -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Terminal tests share process-wide state (termios handlers, the restore buffer): run serially.
@Suite(.serialized) struct TerminalTests {
    @Test func rawModeAndRestoreOnAPseudoTerminal() throws {
        guard let pty = PseudoTerminal() else {
            Issue.record("no pseudo-terminal available")
            return
        }
        defer { pty.close() }
        var before = termios()
        #expect(tcgetattr(pty.slave, &before) == 0)

        let terminal = Terminal(inputFD: pty.slave, outputFD: pty.slave)
        #expect(terminal.isTTY)
        try terminal.start(restoreOnSignals: [])
        var raw = termios()
        #expect(tcgetattr(pty.slave, &raw) == 0)
        #expect(raw.c_lflag & tcflag_t(ICANON) == 0)
        #expect(raw.c_lflag & tcflag_t(ECHO) == 0)
        #expect(raw.c_lflag & tcflag_t(ISIG) == 0)  // Ctrl-C arrives as a byte
        #expect(raw.c_iflag & tcflag_t(ICRNL) == 0)  // Enter arrives as CR
        #expect(raw.c_oflag & tcflag_t(OPOST) != 0)  // output processing stays sane
        #expect(pty.drain().contains("\u{1B}[?1049h\u{1B}[?25l"))

        // Ctrl-C typed on the terminal reaches the reader as byte 3.
        var bytes: [UInt8] = [0x03, 0x0D]
        _ = Glibc.write(pty.master, &bytes, 2)
        #expect(terminal.read(timeoutMilliseconds: 1000) == [0x03, 0x0D])
        #expect(terminal.read(timeoutMilliseconds: 10) == [])  // timeout

        terminal.write("hello")
        #expect(pty.drain() == "hello")

        terminal.restore()
        var after = termios()
        #expect(tcgetattr(pty.slave, &after) == 0)
        #expect(after.c_lflag == before.c_lflag)
        #expect(after.c_iflag == before.c_iflag)
        #expect(after.c_oflag == before.c_oflag)
        #expect(pty.drain().contains(Terminal.restoreSequence))
        terminal.restore()  // idempotent: nothing more is written
        #expect(pty.drain() == "")
    }

    @Test func sizeFromTheWindowSize() throws {
        guard let pty = PseudoTerminal() else {
            Issue.record("no pseudo-terminal available")
            return
        }
        defer { pty.close() }
        var ws = winsize(ws_row: 31, ws_col: 101, ws_xpixel: 0, ws_ypixel: 0)
        #expect(ioctl(pty.master, UInt(TIOCSWINSZ), &ws) == 0)
        let terminal = Terminal(inputFD: pty.slave, outputFD: pty.slave)
        let size = terminal.size()
        #expect(size.columns == 101 && size.rows == 31)
    }

    @Test func sizeFallsBackWithoutATerminal() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let size = Terminal(inputFD: fds[0], outputFD: fds[1]).size()
        #expect(size.columns > 0 && size.rows > 0)
    }

    @Test func restoreWithoutStartDoesNothing() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let terminal = Terminal(inputFD: fds[0], outputFD: fds[1])
        terminal.restore()
        terminal.restore()
        var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 0) == 0)  // nothing written
    }

    @Test func resizeSignalReachesTheHandler() {
        final class Counter: @unchecked Sendable {  // touched only on `queue` and after it drains
            var count = 0
        }
        let terminal = Terminal()
        let queue = DispatchQueue(label: "resize-test")
        let counter = Counter()
        terminal.onResize(queue: queue) { counter.count += 1 }
        defer { terminal.cancelResize() }
        // The source registers asynchronously: signal until it is seen (at most ~2 s).
        var seen = 0
        for _ in 0..<40 where seen == 0 {
            _ = kill(getpid(), SIGWINCH)
            usleep(50_000)
            seen = queue.sync { counter.count }
        }
        #expect(seen > 0)
    }
}
