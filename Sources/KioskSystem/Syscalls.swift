#if canImport(Glibc)
import Glibc
#endif

// The one seam between the kiosk and the C library's system calls, in the manner of
// swift-system's `Internals/Syscalls.swift` + `valueOrErrno(retryOnInterrupt:)` and swift-nio's
// `syscall(blocking:where:_:)`. The policy lives here and nowhere else:
// - a call interrupted by a signal (EINTR) is made again: the daemon takes signals (the
//   self-pipe, VT switching), poll(2) and socket calls with a timeout fail with EINTR even
//   under SA_RESTART, and with a handler installed without it any blocking call does;
// - EAGAIN/EWOULDBLOCK on a non-blocking descriptor is not an error but `.wouldBlock`;
// - any other failure becomes a `SystemError` naming the call, the path and what to do.

/// Whether a failed call was interrupted by a signal and should simply be made again. The only
/// place the kiosk looks for EINTR.
@inline(__always)
private func wasInterrupted(_ code: Int32) -> Bool { code == EINTR }

/// What a call on a non-blocking descriptor did: its result, or nothing because it would have
/// had to wait (EAGAIN/EWOULDBLOCK).
public enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Equatable where Value: Equatable {}
extension IOResult: Sendable where Value: Sendable {}

/// Calls `body`, a C call that returns -1 and sets `errno` on failure, again as long as it is
/// interrupted by a signal (unless `retryOnInterrupt` is false: `close` must not be repeated).
public func valueOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> I) -> Result<I, Errno> {
    while true {
        let value = body()
        guard value == -1 else { return .success(value) }
        let code = errno
        if retryOnInterrupt && wasInterrupted(code) { continue }
        return .failure(Errno(code))
    }
}

/// Like `valueOrErrno`, for calls that return a negated error number instead of setting
/// `errno` (libevdev: `-EAGAIN`, `-ENODEV`).
public func valueOrNegatedErrno<I: FixedWidthInteger & SignedInteger>(_ body: () -> I) -> Result<I, Errno> {
    while true {
        let value = body()
        guard value < 0 else { return .success(value) }
        let code = Int32(truncatingIfNeeded: -value)
        if wasInterrupted(code) { continue }
        return .failure(Errno(code))
    }
}

/// A blocking call: made again when interrupted, any failure thrown as a `SystemError` that
/// names `call` and `path` (a timed-out socket send, `SO_SNDTIMEO`, throws `.wouldBlock`).
/// The corresponding swift-nio function is `syscall(blocking: true, …)`.
public func syscall<I: FixedWidthInteger>(_ call: String, path: String? = nil, _ body: () -> I) throws(SystemError) -> I {
    switch valueOrErrno(body) {
    case .success(let value): return value
    case .failure(let code): throw SystemError(code, call: call, path: path)
    }
}

/// A call on a non-blocking descriptor: `.wouldBlock` when it would have had to wait, made
/// again when interrupted, any other failure thrown as a `SystemError`.
public func nonBlockingSyscall<I: FixedWidthInteger>(_ call: String, path: String? = nil, _ body: () -> I) throws(SystemError) -> IOResult<I> {
    switch valueOrErrno(body) {
    case .success(let value): return .processed(value)
    case .failure(.wouldBlock): return .wouldBlock
    case .failure(let code): throw SystemError(code, call: call, path: path)
    }
}

/// The C calls the kiosk makes, each through the seam above. One function per call; the
/// corresponding C function has the same name.
public enum Posix {
    /// `open`. Opening a device or a FIFO may block and so be interrupted.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> Int32 {
        try syscall("open", path: path) { Glibc.open(path, flags, mode) }
    }

    /// `close`, never repeated: on Linux the descriptor is gone even when close reports EINTR,
    /// and closing again could close a descriptor another thread has just opened.
    public static func close(_ fd: Int32) {
        _ = valueOrErrno(retryOnInterrupt: false) { Glibc.close(fd) }
    }

    /// `read` into `buffer`: the count read (0 at end of file), or `.wouldBlock`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String? = nil) throws(SystemError) -> IOResult<Int> {
        try nonBlockingSyscall("read", path: path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// `read` into the start of `buffer`; see `read(_:into:path:)`.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], path: String? = nil) throws(SystemError) -> IOResult<Int> {
        try buffer.withUnsafeMutableBufferPointer { (bytes) throws(SystemError) in try read(fd, into: UnsafeMutableRawBufferPointer(bytes), path: path) }
    }

    /// `pread` at `offset`.
    public static func pread(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, offset: Int, path: String? = nil) throws(SystemError) -> Int {
        try syscall("pread", path: path) { Glibc.pread(fd, buffer, count, off_t(offset)) }
    }

    /// `recv` into `buffer`: the count received (0 when the peer closed), or `.wouldBlock`.
    public static func recv(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, flags: Int32 = 0, path: String? = nil) throws(SystemError) -> IOResult<Int> {
        try nonBlockingSyscall("recv", path: path) { Glibc.recv(fd, buffer.baseAddress, buffer.count, flags) }
    }

    /// `recv` into the start of `buffer`; see `recv(_:into:flags:path:)`.
    public static func recv(_ fd: Int32, into buffer: inout [UInt8], flags: Int32 = 0, path: String? = nil) throws(SystemError) -> IOResult<Int> {
        try buffer.withUnsafeMutableBufferPointer { (bytes) throws(SystemError) in
            try recv(fd, into: UnsafeMutableRawBufferPointer(bytes), flags: flags, path: path)
        }
    }

    /// `accept` without the peer's address: a new descriptor, or `.wouldBlock` when no client waits.
    public static func accept(_ fd: Int32, path: String? = nil) throws(SystemError) -> IOResult<Int32> {
        try nonBlockingSyscall("accept", path: path) { Glibc.accept(fd, nil, nil) }
    }

    /// `poll`: how many descriptors have events (0 on timeout). Made again with the same timeout
    /// when a signal interrupts it; a handler that wants the caller awake writes to a pipe it polls.
    public static func poll(_ fds: inout [pollfd], timeoutMilliseconds: Int32) throws(SystemError) -> Int32 {
        let count = nfds_t(fds.count)
        return try fds.withUnsafeMutableBufferPointer { (buffer) throws(SystemError) -> Int32 in
            try syscall("poll") { Glibc.poll(buffer.baseAddress, count, timeoutMilliseconds) }
        }
    }

    /// `waitpid`: the child's pid and its wait status, or pid 0 (with `WNOHANG`) while it runs.
    public static func waitpid(_ pid: pid_t, options: Int32 = 0) throws(SystemError) -> (pid: pid_t, status: Int32) {
        var status: Int32 = 0
        let result = try syscall("waitpid") { Glibc.waitpid(pid, &status, options) }
        return (result, status)
    }

    /// `pipe`, both ends close-on-exec, and non-blocking when asked.
    public static func pipe(nonBlocking: Bool) throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try syscall("pipe") { Glibc.pipe(&fds) }
        for fd in fds {
            _ = try? syscall("fcntl F_SETFD") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
            if nonBlocking { try setNonBlocking(fd) }
        }
        return (fds[0], fds[1])
    }

    /// `fcntl(F_SETFL, … | O_NONBLOCK)`.
    public static func setNonBlocking(_ fd: Int32, path: String? = nil) throws(SystemError) {
        let flags = try syscall("fcntl F_GETFL", path: path) { fcntl(fd, F_GETFL) }
        _ = try syscall("fcntl F_SETFL O_NONBLOCK", path: path) { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// The size of the file at `path` (`stat(2)`, following links); nil when there is none or it
    /// cannot be looked at. Not FileManager's `attributesOfItem`, which also looks up the owner's
    /// user and group names: that loads the C library's NSS modules (0.4 MB resident in kioskd
    /// from its first start on) and reads /etc/passwd and /etc/group.
    public static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// `mmap` of `length` bytes shared, read and write.
    public static func mapShared(_ fd: Int32, length: Int, path: String? = nil) throws(SystemError) -> UnsafeMutableRawPointer {
        let map = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let map, map != MAP_FAILED else { throw SystemError(.current, call: "mmap", path: path) }
        return map
    }

    /// What `writeAll` does when a non-blocking descriptor has no room.
    public enum WhenFull: Sendable {
        /// Return the count written so far (a printer that takes no more data).
        case stop
        /// Wait up to this long for room (`poll` for `POLLOUT` on `fd`), then try again, until
        /// all is written.
        case waitForRoom(milliseconds: Int32)
    }

    /// Writes `count` bytes through `attempt`, which is given how many are done and makes one C
    /// call (`write`, `pwrite`, `send`) for the rest, returning its result. Partial writes go on
    /// where they stopped; interrupted calls are made again. Returns the count written: all of
    /// them, or fewer when the call wrote nothing (`.stop` on a full descriptor, or a 0 return).
    @discardableResult
    public static func writeAll(
        count: Int, call: String = "write", path: String? = nil, fd: Int32 = -1, whenFull: WhenFull = .stop,
        _ attempt: (_ done: Int) -> Int
    ) throws(SystemError) -> Int {
        var done = 0
        while done < count {
            switch try nonBlockingSyscall(call, path: path, { attempt(done) }) {
            case .processed(let n) where n > 0:
                done += n
            case .processed:
                return done
            case .wouldBlock:
                guard case .waitForRoom(let milliseconds) = whenFull, fd >= 0 else { return done }
                var fds = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
                _ = try poll(&fds, timeoutMilliseconds: milliseconds)
            }
        }
        return done
    }

    /// Writes all of `bytes` to `fd` with `write`; see `writeAll(count:…)`.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String? = nil, whenFull: WhenFull = .stop) throws(SystemError) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return try writeAll(count: bytes.count, path: path, fd: fd, whenFull: whenFull) { done in
            Glibc.write(fd, base + done, bytes.count - done)
        }
    }

    /// Writes all of `bytes` to `fd` with `write`; see `writeAll(count:…)`.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String? = nil, whenFull: WhenFull = .stop) throws(SystemError) -> Int {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SystemError) in try writeAll(fd, UnsafeRawBufferPointer(buffer), path: path, whenFull: whenFull) }
    }

    /// Sends all of `bytes` on the socket `fd` (`send` with `MSG_NOSIGNAL`: a peer that went
    /// away is `EPIPE`, not a SIGPIPE that kills the daemon); see `writeAll(count:…)`.
    @discardableResult
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8], path: String? = nil) throws(SystemError) -> Int {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SystemError) in
            guard let base = buffer.baseAddress else { return 0 }
            return try writeAll(count: buffer.count, call: "send", path: path) { done in
                Glibc.send(fd, base + done, buffer.count - done, Int32(MSG_NOSIGNAL))
            }
        }
    }

    /// Writes all of `bytes` to `fd` from a signal handler: only `write` and `errno` (no
    /// allocation, no locks, nothing generic). Returns false when the descriptor failed.
    public static func writeAllFromSignalHandler(_ fd: Int32, _ bytes: UnsafeRawPointer, count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let n = Glibc.write(fd, bytes + offset, count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && wasInterrupted(errno) {
                continue
            } else {
                return false
            }
        }
        return true
    }
}
