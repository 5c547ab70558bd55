import CLinuxFB
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

// State shared with crash-signal handlers: plain globals, read with async-signal-safe calls only.
nonisolated(unsafe) private var ownedConsoleFD: Int32 = -1
nonisolated(unsafe) private var savedKeyboardMode: Int32 = K_UNICODE

/// Puts the console back: keyboard mode, automatic VT switching, text mode. Async-signal-safe.
private func restoreOwnedConsole() {
    let fd = ownedConsoleFD
    guard fd >= 0 else { return }
    _ = kiosk_ioctl_int(fd, kiosk_KDSKBMODE(), Int(savedKeyboardMode))
    var mode = vt_mode()
    mode.mode = CChar(VT_AUTO)
    _ = kiosk_ioctl_ptr(fd, kiosk_VT_SETMODE(), &mode)
    _ = kiosk_ioctl_int(fd, kiosk_KDSETMODE(), Int(KD_TEXT))
}

nonisolated(unsafe) private var vtSignalPipeWrite: Int32 = -1

/// VT release/acquire requests reach the poll loop through a pipe (one byte: the signal).
private func vtSwitchHandler(_ sig: Int32) {
    var byte = UInt8(truncatingIfNeeded: sig)
    _ = Posix.writeAllFromSignalHandler(vtSignalPipeWrite, &byte, count: 1)
}

private func consoleCrashHandler(_ sig: Int32) {
    restoreOwnedConsole()
    _ = signal(sig, SIG_DFL)
    _ = raise(sig)
}

/// The kiosk owning the Linux virtual console its framebuffer shows: `KD_GRAPHICS` (the kernel
/// stops drawing text and the blinking cursor over the picture) and keyboard `K_OFF` (keys stop
/// reaching getty or the shell). Everything is restored by `release()`, at exit, and from crash
/// signals (handlers reset to the default action and re-raise); `kioskd --restore-vt`, for
/// systemd's `ExecStopPost=`, repairs the console after a SIGKILL.
public final class ConsoleOwnership {
    public static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]
    public let path: String

    /// The console to own: standard input when it is a virtual console (systemd's `TTYPath=` with
    /// `StandardInput=tty-force` hands the service its VT, owned by the service user, while
    /// `DevicePolicy=closed` keeps /dev/tty0 out of reach), otherwise /dev/tty0, the current VT.
    public static var defaultPath: String {
        var mode: Int32 = 0
        if isatty(STDIN_FILENO) == 1, kiosk_ioctl_ptr(STDIN_FILENO, kiosk_KDGETMODE(), &mode) == 0, let name = ttyname(STDIN_FILENO) {
            return String(cString: name)
        }
        return "/dev/tty0"
    }

    /// Takes the console at `path` (the VT the framebuffer shows).
    public init(path: String = ConsoleOwnership.defaultPath) throws {
        self.path = path
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC) } catch {
            throw DisplayError(.cannotOpenConsole, "cannot open the console \(path): \(error.code); run kioskd as root or give it the tty group (or its own VT: TTYPath= in the unit)", cause: error)
        }
        var mode: Int32 = K_UNICODE
        if (try? syscall("ioctl KDGKBMODE", path: path) { kiosk_ioctl_ptr(fd, kiosk_KDGKBMODE(), &mode) }) != nil { savedKeyboardMode = mode }
        do throws(SystemError) { _ = try syscall("ioctl KDSETMODE", path: path) { kiosk_ioctl_int(fd, kiosk_KDSETMODE(), Int(KD_GRAPHICS)) } } catch {
            Posix.close(fd)
            throw DisplayError(.notAConsole, "\(path) is not a virtual console (KDSETMODE: \(error.code)); run kioskd on a virtual console (/dev/tty0, or TTYPath= in the unit)", cause: error)
        }
        _ = try? syscall("ioctl KDSKBMODE", path: path) { kiosk_ioctl_int(fd, kiosk_KDSKBMODE(), Int(K_OFF)) }
        ownedConsoleFD = fd
        for sig in ConsoleOwnership.crashSignals { _ = signal(sig, consoleCrashHandler) }
        atexit { restoreOwnedConsole() }
        // VT switching under our control: the kernel asks (SIGUSR1) before switching away and
        // tells (SIGUSR2) when the console is back; see `handleSwitchSignal`.
        if let (readEnd, writeEnd) = try? Posix.pipe(nonBlocking: true) {
            vtSignalPipeWrite = writeEnd
            switchSignalFD = readEnd
            _ = signal(SIGUSR1, vtSwitchHandler)
            _ = signal(SIGUSR2, vtSwitchHandler)
            var mode = vt_mode()
            mode.mode = CChar(VT_PROCESS)
            mode.relsig = Int16(SIGUSR1)
            mode.acqsig = Int16(SIGUSR2)
            if (try? syscall("ioctl VT_SETMODE", path: path) { kiosk_ioctl_ptr(fd, kiosk_VT_SETMODE(), &mode) }) == nil { switchSignalFD = -1 }
        }
    }

    /// Readable when the kernel asks to switch VTs; register it with the poll loop.
    public private(set) var switchSignalFD: Int32 = -1

    public enum Switch { case released, acquired }

    /// Answers pending VT switch requests; returns what happened, in order. On `.released` stop
    /// drawing; on `.acquired` redraw everything (the other VT drew over the framebuffer).
    public func handleSwitchSignal() -> [Switch] {
        var out: [Switch] = []
        var byte: [UInt8] = [0]
        while case .processed(1) = try? Posix.read(switchSignalFD, into: &byte) {
            if Int32(byte[0]) == SIGUSR1 {
                _ = kiosk_ioctl_int(ownedConsoleFD, kiosk_VT_RELDISP(), 1)
                out.append(.released)
            } else {
                _ = kiosk_ioctl_int(ownedConsoleFD, kiosk_VT_RELDISP(), Int(VT_ACKACQ))
                out.append(.acquired)
            }
        }
        return out
    }

    deinit { release() }

    /// Gives the console back (text mode, keyboard, automatic switching).
    public func release() {
        restoreOwnedConsole()
        if ownedConsoleFD >= 0 { Posix.close(ownedConsoleFD) }
        ownedConsoleFD = -1
    }

    /// Repairs a console a killed kiosk left in graphics mode: text mode, Unicode keyboard,
    /// automatic VT switching. Returns a message for the log.
    public static func restore(path: String = ConsoleOwnership.defaultPath) -> String {
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(path, O_RDWR | O_NOCTTY | O_CLOEXEC) } catch { return "cannot open \(path): \(error.code); \(error.hint)" }
        defer { Posix.close(fd) }
        _ = kiosk_ioctl_int(fd, kiosk_KDSKBMODE(), Int(K_UNICODE))
        var mode = vt_mode()
        mode.mode = CChar(VT_AUTO)
        _ = kiosk_ioctl_ptr(fd, kiosk_VT_SETMODE(), &mode)
        do throws(SystemError) { _ = try syscall("ioctl KDSETMODE", path: path) { kiosk_ioctl_int(fd, kiosk_KDSETMODE(), Int(KD_TEXT)) } } catch {
            return "\(path): KDSETMODE KD_TEXT failed: \(error.code); \(error.hint)"
        }
        return "\(path) restored to text mode"
    }
}
