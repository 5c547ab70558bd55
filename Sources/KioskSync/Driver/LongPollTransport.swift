#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import KioskSystem
import KioskCentralClient

/// The long-poll's own thread: it performs the blocking `GET /v1/commands?wait=` when the
/// driver asks and posts the answer back; it decides nothing.
final class LongPollTransport: @unchecked Sendable {
    private let lock = Lock()
    private let requested = DispatchSemaphore(value: 0)
    private var wait: Int?
    private var stopping = false

    init(poll: @escaping @Sendable (Int) -> Void) {
        Posix.startThread(name: "kiosk-sync-commands") { [self] in
            CentralClient.blockSIGPIPEOnThisThread()
            while true {
                requested.wait()
                let (next, stop) = lock.withLock { () -> (Int?, Bool) in
                    defer { wait = nil }
                    return (wait, stopping)
                }
                if stop { return }
                if let next { poll(next) }
            }
        }
    }

    func request(wait seconds: Int) {
        lock.withLock { wait = seconds }
        requested.signal()
    }

    func stop() {
        lock.withLock { stopping = true }
        requested.signal()
    }
}
