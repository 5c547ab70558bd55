#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe; the only state the C signal handler touches.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Async-signal-safe: writes the signal number as one byte and keeps `errno` as it was.
private func forwardSignal(_ signal: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = Posix.writeAllFromSignalHandler(signalPipeWriteEnd, &byte, count: 1)
    errno = saved
}

/// Delivers SIGHUP, SIGTERM and SIGINT to the daemon's poll loop through a self-pipe, so they are
/// handled on the loop's one thread like any input (no Dispatch signal source, whose handler
/// would run on another queue; see notes/swift-on-linux.md).
public final class SignalPipe {
    public let readEnd: Int32
    private let writeEnd: Int32

    /// Creates the pipe and installs the handlers for `signals`. One per process.
    public init(signals: [Int32] = [SIGHUP, SIGTERM, SIGINT]) throws {
        do throws(SystemError) { (readEnd, writeEnd) = try Posix.pipe(nonBlocking: true) } catch {
            throw SocketError(operation: "pipe", path: "signal pipe", error)
        }
        signalPipeWriteEnd = writeEnd
        for s in signals { _ = signal(s, forwardSignal) }
        // The loop's thread must be able to take them (threads started by libraries, or a test
        // runner, may block signals; a signal blocked everywhere would stay pending).
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Puts the default actions back and closes the pipe.
    public func close(signals: [Int32] = [SIGHUP, SIGTERM, SIGINT]) {
        for s in signals { _ = signal(s, SIG_DFL) }
        signalPipeWriteEnd = -1
        Posix.close(readEnd)
        Posix.close(writeEnd)
    }

    /// The signals received since the last call, in order.
    public func drain() -> [Int32] {
        var buffer = [UInt8](repeating: 0, count: 64)
        var result: [Int32] = []
        while case .processed(let n) = try? Posix.read(readEnd, into: &buffer, path: "signal pipe"), n > 0 {
            result += buffer[0..<n].map { Int32($0) }
        }
        return result
    }

    /// Registers with the loop: `handler` gets each signal on the loop's thread.
    public func attach(to loop: PollLoop, _ handler: @escaping (Int32) -> Void) {
        loop.addReader(fd: readEnd) { [unowned self] in
            for s in drain() { handler(s) }
        }
    }
}
