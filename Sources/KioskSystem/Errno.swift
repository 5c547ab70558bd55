#if canImport(Glibc)
import Glibc
#endif

/// A POSIX error number, as a failed system call leaves it in `errno`. Named like swift-system's
/// `Errno`, with the names the kiosk's code tests for; any other number still works through
/// `init(rawValue:)`.
public struct Errno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's `errno` now.
    public static var current: Errno { Errno(errno) }

    /// The system's words for it (`strerror`): "No such file or directory".
    public var description: String { String(cString: strerror(rawValue)) }

    /// `ENOENT`
    public static let noSuchFileOrDirectory = Errno(ENOENT)
    /// `EACCES`
    public static let permissionDenied = Errno(EACCES)
    /// `EPERM`
    public static let notPermitted = Errno(EPERM)
    /// `EAGAIN`, which Linux also spells `EWOULDBLOCK`: a non-blocking descriptor has nothing to
    /// read or no room to write, or a send/receive timeout (`SO_SNDTIMEO`) ran out.
    public static let wouldBlock = Errno(EAGAIN)
    /// `EBUSY`
    public static let busy = Errno(EBUSY)
    /// `ENODEV`
    public static let noSuchDevice = Errno(ENODEV)
    /// `ENXIO`
    public static let noSuchDeviceOrAddress = Errno(ENXIO)
    /// `EIO`
    public static let ioError = Errno(EIO)
    /// `ENOTTY`: an ioctl the device does not know (a file that is not the device expected).
    public static let notATerminal = Errno(ENOTTY)
    /// `EINVAL`
    public static let invalidArgument = Errno(EINVAL)
    /// `EBADF`
    public static let badFileDescriptor = Errno(EBADF)
    /// `EFAULT`
    public static let badAddress = Errno(EFAULT)
    /// `ECHILD`
    public static let noChildProcess = Errno(ECHILD)
    /// `ENOSPC`
    public static let noSpace = Errno(ENOSPC)
    /// `EROFS`
    public static let readOnlyFileSystem = Errno(EROFS)
    /// `EISDIR`
    public static let isADirectory = Errno(EISDIR)
    /// `ENOTDIR`
    public static let notADirectory = Errno(ENOTDIR)
    /// `EMFILE`
    public static let tooManyOpenFiles = Errno(EMFILE)
    /// `ENFILE`
    public static let tooManyOpenFilesInSystem = Errno(ENFILE)
    /// `ECONNREFUSED`
    public static let connectionRefused = Errno(ECONNREFUSED)
    /// `EADDRINUSE`
    public static let addressInUse = Errno(EADDRINUSE)
    /// `ENAMETOOLONG`
    public static let nameTooLong = Errno(ENAMETOOLONG)
    /// `EPIPE`
    public static let brokenPipe = Errno(EPIPE)
    /// `EPROTO`
    public static let protocolError = Errno(EPROTO)
    /// `ETIMEDOUT`
    public static let timedOut = Errno(ETIMEDOUT)
}
