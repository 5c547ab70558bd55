import Foundation
import KioskCore
import KioskKeypad
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs readiness handlers the way the daemon's poll loop does, with real `poll(2)`.
final class TestWatcher: ReadinessWatcher {
    var handlers: [Int32: () -> Void] = [:]
    func addReader(fd: Int32, _ handler: @escaping () -> Void) { handlers[fd] = handler }
    func removeReader(fd: Int32) { handlers[fd] = nil }

    /// Calls handlers until nothing is readable.
    func pump() {
        for _ in 0..<100 {
            var fds = handlers.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 0) > 0 else { return }
            for p in fds where p.revents != 0 { handlers[p.fd]?() }
        }
    }
}

/// Keypads that are pipes carrying real `struct input_event` bytes: a path "is plugged in" while
/// its file exists in the test folder, and each (re)open makes a new pipe whose write end the
/// test holds, like a kernel event queue.
final class PipeKeypads {
    let folder: String
    var writers: [String: Int32] = [:]

    init() throws {
        folder = NSTemporaryDirectory() + "kiosk-keypads-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        for fd in writers.values { close(fd) }
        try? FileManager.default.removeItem(atPath: folder)
    }

    func plugIn(_ name: String) { _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: nil) }

    func unplug(_ name: String) {
        try? FileManager.default.removeItem(atPath: folder + "/" + name)
        if let fd = writers.removeValue(forKey: folder + "/" + name) { close(fd) }
    }

    func open(_ path: String) throws -> KeypadDevice {
        guard FileManager.default.fileExists(atPath: path) else { throw KeypadError("\(path): no such device") }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw KeypadError("pipe failed") }
        writers[path] = fds[1]
        return RawEventDevice(fileDescriptor: fds[0], name: (path as NSString).lastPathComponent)
    }

    /// Writes the recording's events as the kernel delivers them: 24-byte input_event records.
    func send(_ recording: EvemuRecording, to name: String) {
        let bytes = recording.events.flatMap(\.bytes)
        guard let fd = writers[folder + "/" + name] else { Issue.record("\(name) is not open"); return }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(written == bytes.count)
    }
}

@Suite("Keypad visit from recordings")
struct KeypadVisitTests {
    static let recordings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Recordings")

    static func recording(_ name: String) throws -> EvemuRecording {
        let r = try EvemuRecording.load(path: recordings.appendingPathComponent(name).path)
        #expect(r.problems.isEmpty, "\(name): \(r.problems)")
        return r
    }

    /// Ticket → call → start → finish → rating → farewell, driven only by recorded key bytes
    /// read from two keypads, with a SYN_DROPPED gap and the counter keypad unplugged and
    /// plugged back in the middle.
    @Test func aWholeVisitFromRecordedKeypads() throws {
        var config = Configuration()
        config.language = .chinese
        var machine = KioskMachine(configuration: config, catalog: Catalogs([])[.chinese], day: "2026-11-24")
        var now = Date(timeIntervalSince1970: 1_795_482_000)
        var events: [KioskEvent] = []
        func press(_ key: Key, _ station: StationID) {
            now = now.addingTimeInterval(1)
            events += machine.handle(.key(key, station: station, at: now)).events
        }

        let devices = try PipeKeypads()
        let watcher = TestWatcher()
        devices.plugIn("lobby-kbd")
        devices.plugIn("counter-kbd")
        let lobby = EvdevKeypad(path: devices.folder + "/lobby-kbd", keyMap: .defaultEvdev, opener: devices.open)
        let counter = EvdevKeypad(path: devices.folder + "/counter-kbd", keyMap: .defaultEvdev, opener: devices.open)
        var statuses: [EvdevKeypad.Status] = []
        counter.onStatus = { statuses.append($0) }
        lobby.start(watcher: watcher) { press($0, .lobby) }
        counter.start(watcher: watcher) { press($0, .counter(1)) }
        #expect(statuses == [.connected(name: "counter-kbd")])

        devices.send(try Self.recording("lobby-take-ticket.evemu"), to: "lobby-kbd")
        watcher.pump()
        #expect(events.map(\.type) == [.ticketIssued])

        devices.send(try Self.recording("counter-login-call.evemu"), to: "counter-kbd")
        watcher.pump()
        #expect(events.map(\.type).contains(.staffLoggedIn))
        #expect(!events.map(\.type).contains(.counterPaused), "the 9 inside the dropped report must be discarded")
        #expect(events.last?.type == .ticketCalled)
        #expect(machine.state.counters[1]?.status == .open)

        // Unplugged: the reader closes the device and waits; nothing crashes, no key is invented.
        let before = events.count
        devices.unplug("counter-kbd")
        watcher.pump()
        #expect(counter.device == nil)
        #expect(events.count == before)
        // Plugged back: inotify sees the node and the keypad is opened again.
        devices.plugIn("counter-kbd")
        watcher.pump()
        #expect(counter.device != nil)
        devices.send(try Self.recording("counter-serve-rate.evemu"), to: "counter-kbd")
        watcher.pump()

        let types = events.map(\.type)
        #expect(types.contains(.serviceStarted) && types.contains(.serviceFinished))
        #expect(types.filter { $0 == .ratingRecorded }.count == 1, "auto-repeat of the held 2 must not rate twice")
        #expect(events.first { $0.type == .ratingRecorded }?.rating == 2)
        guard case .farewell? = machine.state.counters[1]?.pad else {
            Issue.record("the pad should show the farewell, shows \(String(describing: machine.state.counters[1]?.pad))"); return
        }
        #expect(statuses.first == .connected(name: "counter-kbd") && statuses.last == .connected(name: "counter-kbd"))
        #expect(statuses.contains { if case .disconnected(let why) = $0 { return why.contains("unplugged") } else { return false } }, "\(statuses)")
        lobby.stop()
        counter.stop()
    }
}
