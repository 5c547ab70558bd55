import CEvdev
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// A station keypad that replays an `evemu-record` recording (`keypad = evemu:PATH`) with its
/// original timing, through the same decoder as a real keypad: recorded sessions drive demos
/// and tests. Undecodable lines are reported (with line numbers) and skipped.
public final class EvemuKeypad {
    public let path: String
    public let recording: EvemuRecording
    public private(set) var decoder: KeypadDecoder
    private var replay: EvemuReplay?
    private var timerFD: Int32 = -1
    private weak var watcher: ReadinessWatcher?
    private var onKey: (Key) -> Void = { _ in }
    /// Called once when the last event has been played.
    public var onFinished: () -> Void = {}

    public init(path: String, keyMap: KeyMap) throws {
        self.path = path
        recording = try EvemuRecording.load(path: path)
        decoder = KeypadDecoder(keyMap: keyMap)
    }

    deinit { stop() }

    /// Seconds on the monotonic clock.
    public static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Starts playing: the first event is due now.
    public func start(watcher: ReadinessWatcher, onKey: @escaping (Key) -> Void) throws {
        self.watcher = watcher
        self.onKey = onKey
        replay = EvemuReplay(events: recording.events, start: EvemuKeypad.monotonicNow())
        do throws(SystemError) {
            timerFD = try syscall("timerfd_create") { timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC)) }
        } catch {
            throw KeypadError(.cannotTime, "cannot replay \(path): timerfd_create failed: \(error.code); \(error.hint)", cause: error)
        }
        watcher.addReader(fd: timerFD) { [unowned self] in self.handleTimer() }
        arm()
    }

    public func stop() {
        if timerFD >= 0 {
            watcher?.removeReader(fd: timerFD)
            Posix.close(timerFD)
            timerFD = -1
        }
    }

    private func arm() {
        guard let delay = replay?.delay(now: EvemuKeypad.monotonicNow()) else {
            stop()
            onFinished()
            return
        }
        let d = max(delay, 0.000_001)  // zero would disarm the timer
        var spec = itimerspec()
        spec.it_value.tv_sec = Int(d)
        spec.it_value.tv_nsec = Int((d - Double(Int(d))) * 1e9)
        _ = try? syscall("timerfd_settime", path: path) { timerfd_settime(timerFD, 0, &spec, nil) }
    }

    func handleTimer() {
        var expirations = [UInt8](repeating: 0, count: 8)
        _ = try? Posix.read(timerFD, into: &expirations, path: path)
        guard var r = replay else { return }
        let events = r.due(now: EvemuKeypad.monotonicNow())
        replay = r
        for e in events {
            for case .key(let k) in decoder.feed(e) { onKey(k) }
            if e.type == InputEvent.synchronization && e.code == InputEvent.synDropped { _ = decoder.resync(down: []) }
        }
        arm()
    }
}
