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

/// The daemon's one thread: `poll(2)` over file descriptors (terminal, keypads, sockets) plus
/// periodic timers (the clock tick, watchdog pings). Everything runs here, so the machine and the
/// store need no locks, and there is no Dispatch handler to run on the wrong queue.
public final class PollLoop {
    public typealias Handler = () -> Void

    private struct Timer {
        var interval: TimeInterval
        var next: Date
        var action: Handler
    }

    private var readers: [(fd: Int32, handler: Handler)] = []
    private var timers: [Timer] = []
    private var running = false
    private let clock: () -> Date
    /// Runs after every wake-up that handled something (redraw here).
    public var afterEach: Handler = {}

    public init(clock: @escaping () -> Date = Date.init) { self.clock = clock }

    /// Calls `handler` whenever `fd` is readable, hung up or in error (it must read or remove it).
    public func addReader(fd: Int32, _ handler: @escaping Handler) {
        removeReader(fd: fd)
        readers.append((fd, handler))
    }

    public func removeReader(fd: Int32) { readers.removeAll { $0.fd == fd } }

    /// Calls `action` every `seconds`, first after one interval.
    public func every(_ seconds: TimeInterval, _ action: @escaping Handler) {
        timers.append(Timer(interval: seconds, next: clock().addingTimeInterval(seconds), action: action))
    }

    /// Makes `run` return after the current wake-up.
    public func stop() { running = false }

    /// Runs until `stop()`.
    public func run() {
        running = true
        afterEach()
        while running {
            let now = clock()
            let nextTimer = timers.map(\.next).min() ?? now.addingTimeInterval(1)
            let timeout = Int32(max(0, min(1000, nextTimer.timeIntervalSince(now) * 1000)).rounded(.up))
            var fds = readers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let n: Int32
            do throws(SystemError) { n = try Posix.poll(&fds, timeoutMilliseconds: timeout) } catch {
                Log.error("kioskd: the poll loop stopped: \(error)")
                break
            }
            if n > 0 {
                // Handlers may add or remove readers: look each one up again before calling it.
                for p in fds where p.revents != 0 {
                    if let reader = readers.first(where: { $0.fd == p.fd }) { reader.handler() }
                    if !running { break }
                }
            }
            let after = clock()
            for i in timers.indices where timers[i].next <= after {
                timers[i].next = after.addingTimeInterval(timers[i].interval)
                timers[i].action()
            }
            afterEach()
        }
    }
}
