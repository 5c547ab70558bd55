import Foundation
import KioskCore
import KioskRuntime
import KioskStorage
import KioskTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Control socket", .serialized)
struct ControlSocketTests {
    @Test func requestsParseAndBadOnesSayWhatToType() {
        #expect(ControlRequest.parse("counter pause 2") == .success(.counter(.pause, 2)))
        #expect(ControlRequest.parse("weather rain\n") == .success(.weather(.rain)))
        #expect(ControlRequest.parse("reload") == .success(.reload))
        for bad in ["", "counter", "counter nap 2", "counter open x", "counter open -1", "weather snow", "reload now", "launch missiles"] {
            guard case .failure(let e) = ControlRequest.parse(bad) else { Issue.record("accepted '\(bad)'"); continue }
            #expect(!e.description.isEmpty)
        }
        #expect(throws: Never.self) { _ = ControlRequest.parse([0xff, 0xfe, 0x00]) }
        if case .success = ControlRequest.parse(Array(repeating: UInt8(ascii: "a"), count: 10_000)) { Issue.record("accepted 10 kB") }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<5_000 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = ControlRequest.parse(bytes)
            _ = ControlResponse.parse(bytes)
        }
    }

    @Test func operatorCommandsReachTheRunningDaemonAndAreStored() throws {
        let rig = try Rig()
        let path = rig.socketPath
        let answers = try rig.run {
            [
                try ControlClient.send(.ping, socketPath: path),
                try ControlClient.send(.counter(.open, 1), socketPath: path),
                try ControlClient.send(.counter(.close, 1), socketPath: path),
                try ControlClient.send(.counter(.open, 7), socketPath: path),
                try ControlClient.send(.weather(.rain), socketPath: path),
                try ControlClient.send(.sync, socketPath: path),
            ]
        }
        #expect(answers[0].ok && answers[0].text.contains("kioskd pid \(getpid())"))
        #expect(!answers[1].ok && answers[1].text.contains("no staff is logged in at counter 1"))
        #expect(!answers[2].ok && answers[2].text.contains("already closed"))
        #expect(!answers[3].ok && answers[3].text.contains("counter 7 is not in the configuration"))
        #expect(answers[4] == .ok("weather is rain\n"))
        #expect(answers[5] == .error("sync not configured\n"))
        let stored = try rig.service.store.events(since: 0).map(\.event)
        #expect(stored.map(\.type) == [.weatherSet])
        #expect(stored.first?.weather == .rain)
    }

    @Test func pauseAndCloseAStaffedCounter() throws {
        let rig = try Rig()
        let now = Date()
        for key: Key in [.digit(0), .digit(1), .digit(0), .digit(0), .digit(1), .enter, .digit(1), .digit(2), .digit(3), .digit(4), .enter] {
            rig.service.handle(.key(key, station: .counter(1), at: now))
        }
        #expect(rig.service.machine.state.counters[1]?.status == .open)
        let path = rig.socketPath
        let answers = try rig.run {
            try ["counter pause 1", "counter pause 1", "counter open 1", "counter close 1"].map { try ControlClient.send(line: $0, socketPath: path) }
        }
        #expect(answers.map(\.ok) == [true, false, true, true])
        #expect(answers[3].text == "counter 1 is closed\n")
        let types = try rig.service.store.events(since: 0).map(\.event.type)
        #expect(types.suffix(4) == [.counterPaused, .counterOpened, .staffLoggedOut, .counterClosed])
    }

    @Test func malformedRequestsGetAnErrorAndTheDaemonCarriesOn() throws {
        let rig = try Rig()
        let path = rig.socketPath
        let answers = try rig.run {
            var out: [String] = []
            for payload: [UInt8] in [[0xff, 0xfe, 0x0a], Array("counter open\n".utf8), Array(repeating: 0x41, count: 9000), [], Array("\n".utf8)] {
                let fd = try UnixSocket.connect(path: path)
                UnixSocket.setReceiveTimeout(fd, seconds: 5)
                UnixSocket.writeAll(fd, payload)
                shutdown(fd, Int32(SHUT_WR))
                out.append(String(decoding: UnixSocket.readAll(fd) ?? [], as: UTF8.self))
                close(fd)
            }
            // A client that connects and says nothing, then a good request: still answered.
            let idle = try UnixSocket.connect(path: path)
            defer { close(idle) }
            out.append(try ControlClient.send(.ping, socketPath: path).text)
            return out
        }
        #expect(answers[0].hasPrefix("error\n") && answers[0].contains("UTF-8"))
        #expect(answers[1].hasPrefix("error\nusage: counter open|pause|close N"))
        #expect(answers[2].hasPrefix("error\n") && answers[2].contains("longer than"))
        #expect(answers[3] == "")
        #expect(answers[4].hasPrefix("error\nempty request"))
        #expect(answers[5].contains("kioskd pid"))
    }

    /// A flood of silent clients: a newcomer is answered `busy` (never reset) while they are
    /// fresh, and takes the oldest one's place once that has been silent for `staleAfter`.
    @Test(arguments: [(3600.0, false), (0.0, true)])
    func aFullSocketAnswersBusyOrDropsTheStaleClient(staleAfter: Double, served: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/control.sock"
        let loop = PollLoop()
        let server = try ControlServer(path: path, staleAfter: staleAfter) { _ in .ok("pong") }
        server.attach(to: loop)
        let answer = ResultBox<ControlResponse>()
        let thread = Thread {
            let result = Result {
                let idle = try (0..<ControlServer.maximumClients).map { _ in try UnixSocket.connect(path: path) }
                defer { idle.forEach { close($0) } }
                // The listen queue is first come, first accepted: the ping is the 17th.
                return try ControlClient.send(.ping, socketPath: path)
            }
            answer.value.withLock { $0 = result }
        }
        thread.start()
        loop.every(0.005) { [loop] in if answer.value.withLock({ $0 != nil }) { loop.stop() } }
        loop.run()
        server.close()
        let response = try answer.value.withLock { $0! }.get()
        if served {
            #expect(response == .ok("pong\n"))
        } else {
            #expect(!response.ok && response.text.hasPrefix("busy: kioskd is answering 16 other requests"))
        }
    }

    @Test func socketIsGroupOnlyAndRemovedOnStop() throws {
        let rig = try Rig()
        let path = rig.socketPath
        let mode = try rig.run { () -> UInt16 in
            var st = stat()
            stat(path, &st)
            return UInt16(st.st_mode & 0o777)
        }
        #expect(mode == 0o660)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// systemd makes /run/kiosk `kiosk:kiosk`; the socket takes that group (not a name looked up)
    /// so the operators in it can talk to the daemon. As root the folder gets a group of its own.
    @Test func socketTakesTheGroupOfItsFolder() throws {
        let folder = makeTemporaryFolder()
        let group: gid_t = getuid() == 0 ? 4242 : getegid()
        #expect(chown(folder, uid_t.max, group) == 0)
        let path = folder + "/control.sock"
        let fd = try UnixSocket.listen(path: path)
        defer { close(fd); unlink(path) }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_gid == group)
        #expect(info.st_mode & 0o777 == 0o660)
    }

    @Test func kioskctlSaysTheDaemonIsDownInsteadOfHanging() {
        var errors: [String] = []
        let code = ControlCommand.main(["--runtime-dir", makeTemporaryFolder(), "counter", "pause", "1"], output: { _ in }, error: { errors.append($0) })
        #expect(code == 69)
        #expect(errors.joined().contains("is kioskd running?"))
    }
}

