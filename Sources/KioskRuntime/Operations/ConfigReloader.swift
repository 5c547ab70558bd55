#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskSync
import KioskSystem
import Synchronization

/// Reload requests, coalesced. Pure: `ConfigReloader` below does the loading and the answering.
///
/// At most one configuration load runs at a time. A request that comes while one runs waits for
/// the next load, not the running one: that one may have read kiosk.conf before the edit the
/// request is about. Every request waiting for a load gets that load's outcome. So a flood of
/// 2,000 `reload`s costs two or three loads, not 2,000, and no request is answered with a file
/// older than itself.
struct ReloadCoalescer<Waiter> {
    /// Who waits for the load that runs now (nil: none runs).
    private(set) var running: [Waiter]?
    /// Who waits for the load after it.
    private(set) var next: [Waiter] = []

    /// A request; true when a load must start now.
    mutating func request(_ waiter: Waiter) -> Bool {
        guard running != nil else {
            running = [waiter]
            return true
        }
        next.append(waiter)
        return false
    }

    /// The running load is done: who gets its outcome, and whether the next load must start now.
    mutating func finished() -> (answer: [Waiter], startNext: Bool) {
        let answered = running ?? []
        if next.isEmpty {
            running = nil
            return (answered, false)
        }
        running = next
        next = []
        return (answered, true)
    }
}

/// Who asked for a reload: a control client (answered with the outcome) or SIGHUP (logged only).
enum ReloadWaiter: Equatable {
    case signal
    case client(ControlServer.ClientID)
}

/// Loads the configuration off the poll loop's thread and applies it on it.
///
/// Reading and parsing kiosk.conf, the catalogs and the key maps takes milliseconds to seconds
/// (a huge or slow file); on the loop, which also draws every screen, that froze the screens
/// (2,000 `reload`s blocked them for 3.3 s). Here the load runs on a thread of its own; its result
/// comes back through a wake pipe, and only the swap (`apply`: rebuilding the machine under the
/// new rules) runs on the loop, once per load however many requests it answers.
final class ConfigReloader {
    typealias Loaded = Result<KioskSetup, ConfigurationErrors>

    private var coalescer = ReloadCoalescer<ReloadWaiter>()
    private let load: @Sendable () -> Loaded
    private let apply: (Loaded) -> ControlResponse
    private let answer: ([ReloadWaiter], ControlResponse) -> Void
    private let starting: () -> Void
    private let done = LoadedBox()
    private weak var loop: PollLoop?

    /// `load` runs on the load's own thread; `apply`, `answer` and `starting` (told when a load
    /// begins: systemd's RELOADING=1) on the loop's thread.
    init(load: @escaping @Sendable () -> Loaded, apply: @escaping (Loaded) -> ControlResponse,
         answer: @escaping ([ReloadWaiter], ControlResponse) -> Void, starting: @escaping () -> Void = {}) {
        self.load = load
        self.apply = apply
        self.answer = answer
        self.starting = starting
    }

    func attach(to loop: PollLoop) {
        self.loop = loop
        loop.addReader(fd: done.wake.readFD) { [unowned self] in finish() }
    }

    func detach() { loop?.removeReader(fd: done.wake.readFD) }

    /// Requests and loads since start (`kioskctl status`).
    private(set) var requests = 0
    private(set) var loads = 0

    /// A reload request, on the loop's thread.
    func request(_ waiter: ReloadWaiter) {
        requests += 1
        if coalescer.request(waiter) { start() }
    }

    private func start() {
        loads += 1
        starting()
        let (load, done) = (self.load, self.done)
        // A thread of its own, not a Dispatch queue: the pool's few threads may all be blocked
        // (in network calls, or clients waiting for this very reload) and it would never run.
        Posix.startThread(name: "kiosk-reload") { done.put(load()) }
    }

    private func finish() {
        done.wake.drain()
        guard let loaded = done.take() else { return }
        let response = apply(loaded)
        let (waiters, again) = coalescer.finished()
        answer(waiters, response)
        if again { start() }
    }
}

/// The finished load, handed from its thread to the loop.
private final class LoadedBox: Sendable {
    let wake = WakePipe()
    private let value = Mutex<ConfigReloader.Loaded?>(nil)

    func put(_ loaded: ConfigReloader.Loaded) {
        value.withLock { $0 = loaded }
        wake.signal()
    }

    func take() -> ConfigReloader.Loaded? { value.withLock { v in defer { v = nil }; return v } }
}
