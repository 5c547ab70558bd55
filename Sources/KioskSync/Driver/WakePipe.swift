#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// A self-pipe: any thread `signal()`s, the thread that owns it wakes from `wait(timeout:)` (or
/// from its poll loop, reading `readFD`). Both ends are non-blocking: a full pipe means a wake-up
/// is already pending, so a signal is never lost and never blocks.
public final class WakePipe: @unchecked Sendable {
    public let readFD: Int32
    let writeFD: Int32

    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        } else {
            // Out of descriptors: waits become plain timeouts (still correct, only slower).
            fds = [-1, -1]
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe (call after it polled readable).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }

    /// Waits until signalled or `timeout` seconds pass (nil: until signalled); then drains. A
    /// signal that arrived before the call returns at once.
    public func wait(timeout: TimeInterval?) {
        var fd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        let ms = timeout.map { Int32(max(0, min(Double(Int32.max), ($0 * 1000).rounded(.up)))) } ?? -1
        // An interrupted wait (-1) returns early; the caller re-reads its clock and waits again.
        _ = poll(&fd, 1, ms)
        drain()
    }
}
