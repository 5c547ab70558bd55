#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: which call, on which file (when there is one), the error number,
/// and what to do about it, phrased for the operator reading the log. Made by the seam in
/// `Syscalls.swift`; the display, keypad, socket and printer errors keep one as their cause.
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The error number the call failed with.
    public var code: Errno
    /// The C call, with the request for an ioctl ("open", "ioctl FBIOGET_VSCREENINFO").
    public var call: String
    /// The file, device or socket concerned, when the call has one.
    public var path: String?
    /// What to do about it.
    public var hint: String

    /// - Parameter hint: what to do; by default advice for `code` (naming the group that owns
    ///   `path` when permission is denied).
    public init(_ code: Errno, call: String, path: String? = nil, hint: String? = nil) {
        self.code = code
        self.call = call
        self.path = path
        self.hint = hint ?? SystemError.advice(for: code, path: path)
    }

    /// What went wrong: "open /dev/fb0: Permission denied".
    public var message: String {
        if let path, !path.isEmpty { return "\(call) \(path): \(code)" }
        return "\(call): \(code)"
    }

    /// "open /dev/fb0: Permission denied; add the user kioskd runs as to the 'video' group,
    /// which owns /dev/fb0"
    public var description: String { "\(message); \(hint)" }

    /// Plain advice for an error number, for the operator (not the resident at the kiosk).
    public static func advice(for code: Errno, path: String?) -> String {
        let target = path.map { $0.isEmpty ? "it" : $0 } ?? "it"
        switch code {
        case .noSuchFileOrDirectory:
            return path == nil ? "check that it exists" : "check that \(target) exists and that the configuration names it correctly"
        case .permissionDenied, .notPermitted:
            if let path, let group = SystemError.owningGroup(of: path) {
                return "add the user kioskd runs as to the '\(group)' group, which owns \(path)"
            }
            return "check the permissions of \(target) (ls -l), or run kioskd as a user allowed to use it"
        case .busy:
            return "another program holds \(target); stop it (another kioskd?) and try again"
        case .noSuchDevice, .noSuchDeviceOrAddress:
            return "the device is gone or switched off; check that it is plugged in and powered"
        case .ioError:
            return "check the device, its cable and the kernel log (journalctl -k)"
        case .notATerminal:
            return "\(target) is not the kind of device expected here; check the configuration"
        case .noSpace:
            return "free some space on the disk holding \(target)"
        case .readOnlyFileSystem:
            return "the disk holding \(target) is mounted read-only; remount it read-write"
        case .isADirectory, .notADirectory:
            return "check the path: a folder and a file are mixed up in \(target)"
        case .tooManyOpenFiles, .tooManyOpenFilesInSystem:
            return "too many files are open; restart kioskd, and report it with the log if it happens again"
        case .connectionRefused:
            return "nothing is listening at \(target); is the program that should be running?"
        case .addressInUse:
            return "another program is already listening at \(target); stop it first"
        case .nameTooLong:
            return "use a shorter path"
        case .wouldBlock, .timedOut:
            return "it did not answer in time; try again, and check that the other side is working"
        case .brokenPipe:
            return "the other side went away; try again"
        case .badFileDescriptor, .badAddress, .invalidArgument:
            return "this is a kioskd bug; please report it with the log"
        default:
            return "try again; if it keeps failing, check the kernel log (journalctl -k)"
        }
    }

    /// The group that owns `path`, when it is not root's and its members may read or write it:
    /// the group to join (video for /dev/fb*, input for /dev/input/*, lp for printers).
    static func owningGroup(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_gid != 0, info.st_mode & (S_IRGRP | S_IWGRP) != 0 else { return nil }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(info.st_gid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.gr_name else {
            return nil
        }
        return String(cString: name)
    }
}
