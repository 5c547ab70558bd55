import Foundation
import KioskCore
import KioskRuntime
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Reload, systemd notify, logs", .serialized)
struct ReloadAndNotifyTests {
    @Test func brokenConfigIsRejectedAndTheOldOneRunsThenSIGHUPLoadsAFixedOne() throws {
        let rig = try Rig()
        let good = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        try good.replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-000-0000\nprefx = Z")
            .write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let (path, config) = (rig.socketPath, rig.configPath)
        let (rejected, statusAfterReject, statusAfterHUP) = try rig.run(handleSignals: true) { () -> (ControlResponse, String, String) in
            let rejected = try ControlClient.send(.reload, socketPath: path)
            let status = try ControlClient.send(.ping, socketPath: path).text
            try good.replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-123-4567")
                .write(toFile: config, atomically: true, encoding: .utf8)
            kill(getpid(), SIGHUP)
            var after = ""
            // SIGHUP's load runs on its own thread: wait for it (up to 20 s on a busy machine).
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                after = try ControlClient.send(.ping, socketPath: path).text
                if after.contains("last reload: ok") { break }
                usleep(10_000)
            }
            return (rejected, status, after)
        }
        #expect(!rejected.ok)
        #expect(rejected.text.contains("kiosk.conf:"))
        #expect(rejected.text.contains("unknown key 'prefx'"))
        #expect(statusAfterReject.contains("last reload: rejected"))
        #expect(statusAfterHUP.contains("last reload: ok"))
        #expect(rig.service.setup.configuration.phone == "400-123-4567")
    }

    @Test func reloadKeepsTheQueue() throws {
        let rig = try Rig()
        let now = Date()
        rig.service.handle(.key(.digit(1), station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
        let before = rig.service.machine.state.waitingTickets.map(\.label)
        #expect(before.count == 1)
        let path = rig.socketPath
        let answer = try rig.run { try ControlClient.send(.reload, socketPath: path) }
        #expect(answer.ok)
        #expect(rig.service.machine.state.waitingTickets.map(\.label) == before)
    }

    @Test func notifySendsOneDatagramToTheSocketSystemdNames() throws {
        let folder = makeTemporaryFolder("notify")
        for name in [folder + "/notify", "@kiosk-test-\(getpid())"] {
            let receiver = try DatagramReceiver(path: name)
            defer { receiver.close() }
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
            #expect(notifier.notify("READY=1\nSTATUS=serving"))
            #expect(receiver.receive() == "READY=1\nSTATUS=serving")
        }
        #expect(!SystemdNotifier(environment: [:]).notify("READY=1"))
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsecAndOnlyForUs() {
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "30000000"]).watchdogInterval == 15)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"], pid: getpid()).watchdogInterval == 15)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"], pid: getpid()).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: [:]).watchdogInterval == nil)
    }

    @Test func daemonSaysReadyAfterTheFirstFrameThenPingsTheWatchdogFromItsLoop() throws {
        let folder = makeTemporaryFolder("notify")
        let receiver = try DatagramReceiver(path: folder + "/notify")
        defer { receiver.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": folder + "/notify", "WATCHDOG_USEC": "20000"])
        let rig = try Rig(notifier: notifier)
        let frames = FrameCounter()
        rig.loop.afterEach = { frames.count += 1 }
        let received = try rig.run { () -> [String] in
            var got: [String] = []
            while got.filter({ $0 == "WATCHDOG=1" }).count < 3, let d = receiver.receive() { got.append(d) }
            return got
        }
        #expect(received.first?.hasPrefix("READY=1\nSTATUS=serving kiosk") == true)
        #expect(received.filter { $0 == "WATCHDOG=1" }.count == 3)
        #expect(frames.count >= 1)
        // The loop may ping once more before it stops; then it says it is stopping.
        var last = receiver.receive()
        while last == "WATCHDOG=1" { last = receiver.receive() }
        #expect(last == "STOPPING=1")
    }

    @Test func logLinesCarryJournaldPrioritiesAndNoSecrets() {
        #expect(Log.lines(.error, "reload rejected:\nkiosk.conf:3: bad") == "<3>reload rejected:\n<3>kiosk.conf:3: bad\n")
        #expect(Log.lines(.info, "staff login pin=1234 ok") == "<6>staff login pin=*** ok\n")
        #expect(Log.redacted("Authorization: Bearer abc.def") == "Authorization: Bearer ***")
        #expect(Log.redacted("token=\"s3cr3t\" pin-hash = pbkdf2$x$y") == "token=*** pin-hash = ***")
        #expect(Log.redacted("call A001 to counter 2") == "call A001 to counter 2")
        #expect(Log.redacted("kiosk.conf:9: pin-hash in [staff 1001] is not a pin hash") == "kiosk.conf:9: pin-hash in [staff 1001] is not a pin hash")
    }
}

final class FrameCounter: @unchecked Sendable { var count = 0 }

/// A datagram socket the test creates, standing in for systemd's notify socket.
final class DatagramReceiver: @unchecked Sendable {
    let fd: Int32
    let path: String
    init(path: String) throws {
        self.path = path
        fd = try UnixSocket.make(datagram: true)
        var (addr, length) = try UnixSocket.address(path)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard rc == 0 else { throw SocketError(operation: "bind", path: path, code: errno) }
        UnixSocket.setReceiveTimeout(fd, seconds: 10)
    }
    /// The next datagram, or nil after 10 s without one.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        return n >= 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
    func close() {
        Glibc.close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }
}
