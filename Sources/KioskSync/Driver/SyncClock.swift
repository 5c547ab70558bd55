#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem

/// The time and the randomness the sync machines are fed: the system's in kioskd, a
/// `VirtualClock` in tests (which move time by hand instead of sleeping).
public struct SyncClock: Sendable {
    public var now: @Sendable () -> Date
    /// A number in [0, 1) for backoff jitter.
    public var jitter: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Date, jitter: @escaping @Sendable () -> Double) {
        self.now = now
        self.jitter = jitter
    }

    public static let system = SyncClock(now: { Date() }, jitter: { Double.random(in: 0..<1) })
}

/// A clock that stands still until a test moves it.
public final class VirtualClock: @unchecked Sendable {
    private let lock = Lock()
    private var time: Date

    public init(_ start: Date) { time = start }

    public var now: Date { lock.withLock { time } }

    public func advance(by seconds: TimeInterval) { lock.withLock { time = time.addingTimeInterval(seconds) } }

    /// This clock, with the jitter fixed (`0.5`: every backoff is half its ceiling).
    public func clock(jitter: Double = 0.5) -> SyncClock {
        SyncClock(now: { [self] in now }, jitter: { jitter })
    }
}
