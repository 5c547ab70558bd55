import Foundation
import KioskAnnounce
import KioskCore
import KioskRuntime
import Testing

@Suite("Voice call-outs", .serialized)
struct CallOutTests {
    @Test func commandSplitsLikeAShellAndFillsPlaceholdersWordByWord() throws {
        let c = try AnnounceCommand(#"espeak-ng -v cmn -w /tmp/{ticket}.wav "请 {ticket} 号到 {counter} 号窗口""#)
        #expect(c.arguments(ticket: "A001", counter: 2) == ["espeak-ng", "-v", "cmn", "-w", "/tmp/A001.wav", "请 A001 号到 2 号窗口"])
        #expect(try AnnounceCommand(#"say 'it''s' a\ b "x\"y""#).words == ["say", "its", "a b", "x\"y"])
        #expect(throws: AnnounceCommand.ParseError.self) { try AnnounceCommand(#"say "open"#) }
        #expect(try AnnounceCommand("say; rm -rf /").arguments(ticket: "$(reboot)", counter: 1) == ["say;", "rm", "-rf", "/"])
    }

    @Test func queuePlaysOneAtATimeInOrderAndKillsOnePastItsLimit() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var q = AnnouncementQueue(timeLimit: 10, capacity: 2)
        let a = CallOut(ticket: "A001", counter: 1), b = CallOut(ticket: "B001", counter: 2), c = CallOut(ticket: "A002", counter: 1)
        #expect(q.enqueue(a, now: t0) == .start(a))
        #expect(q.enqueue(b, now: t0) == .none)
        #expect(q.tick(now: t0.addingTimeInterval(9)) == .none)
        #expect(q.tick(now: t0.addingTimeInterval(10)) == .kill(a))
        #expect(q.tick(now: t0.addingTimeInterval(11)) == .none)  // killed once; waits for the exit
        #expect(q.finished(now: t0.addingTimeInterval(11)) == .start(b))
        #expect(q.enqueue(c, now: t0.addingTimeInterval(12)) == .none)
        #expect(q.finished(now: t0.addingTimeInterval(13)) == .start(c))
        #expect(q.finished(now: t0.addingTimeInterval(14)) == .none)
        #expect(q.isIdle)
        // A backlog beyond the capacity drops the oldest waiting call.
        _ = q.enqueue(a, now: t0)
        for x in [b, c, a] { _ = q.enqueue(x, now: t0) }
        #expect(q.waiting == [c, a] && q.dropped == 1)
    }

    @Test func aCommandStartsWithOnlyItsOwnThreeDescriptors() throws {
        // Left open without close-on-exec, as a library's pipe or socket may be: a command that
        // kept it would hold it as long as it runs.
        let careless = open("/dev/null", O_RDONLY)
        defer { close(careless) }
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (pid, rc) = CommandSpawn.start("/bin/sh", ["sh", "-c", "ls /proc/$$/fd"], searchPath: false, output: ends[1])
        close(ends[1])
        defer { close(ends[0]) }
        try #require(rc == 0)
        let listed = String(decoding: FileHandle(fileDescriptor: ends[0], closeOnDealloc: false).readDataToEndOfFile(), as: UTF8.self)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        #expect(listed.split(separator: "\n") == ["0", "1", "2"], "the command had \(listed.split(separator: "\n")) open (\(careless) is the parent's)")
    }

    /// Drives the player until its child has ended: waits on the child's pipe, never sleeps.
    func finish(_ player: AnnouncementPlayer) {
        while player.childProcess != nil {
            if let fd = player.readFD {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, 1000)
                player.readable(now: Date())
            }
            player.tick(now: Date())
        }
    }

    @Test func aFailingCommandIsLoggedWithItsExitCodeAndWhatItSaid() throws {
        let player = AnnouncementPlayer(command: try AnnounceCommand("sh -c 'echo no sound card >&2; exit 3' {ticket}"), timeLimit: 10)
        var lines: [String] = []
        player.report = { lines.append($0) }
        player.enqueue(CallOut(ticket: "A001", counter: 1), now: Date())
        finish(player)
        #expect(lines == ["call-out A001 → counter 1 started", "call-out A001 failed (exit 3): no sound card"])
    }

    @Test func aCallOutCollectedElsewhereIsNotReportedAsDone() throws {
        let player = AnnouncementPlayer(command: try AnnounceCommand("sh -c 'exit 0' {ticket}"), timeLimit: 10)
        var lines: [String] = []
        player.report = { lines.append($0) }
        player.enqueue(CallOut(ticket: "A001", counter: 1), now: Date())
        let pid = try #require(player.childProcess)
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)  // someone else in the process collects it first
        finish(player)
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("call-out A001 ended, exit status unknown") == true, "\(lines)")
    }

    func config(announce: String, timeout: Int) throws -> String {
        try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
            .replacingOccurrences(of: "phone = 400-000-0000", with: "phone = 400-000-0000\nannounce-command = \(announce)\nannounce-timeout = \(timeout)")
    }

    /// A001 (repairs) called at counter 1, B001 (fees) at counter 2, right after each other.
    func callTwoTickets(_ rig: Rig) {
        let now = Date()
        rig.service.handle(.key(.digit(1), station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
        rig.service.handle(.key(.digit(2), station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
        for (counter, staff) in [(1, "1001"), (2, "1002")] {
            let keys: [Key] = [.digit(0)] + staff.map { .digit(Int(String($0))!) } + [.enter, .digit(1), .digit(2), .digit(3), .digit(4), .enter, .plus]
            for k in keys { rig.service.handle(.key(k, station: .counter(counter), at: now)) }
        }
    }

    /// Runs the daemon loop until every call-out has finished.
    func runUntilQuiet(_ rig: Rig, whileSpeaking client: (@Sendable () throws -> String)? = nil) throws -> String? {
        let path = rig.socketPath
        return try rig.run {
            let answer = try client?()
            _ = path
            return answer
        } until: { rig.operations.callOuts?.isIdle ?? true }
    }

    @Test func espeakSpeaksEachCallIntoItsOwnWavOneAfterTheOther() throws {
        let out = makeTemporaryFolder("voice")
        let rig = try Rig(configText: try config(announce: #"espeak-ng -v cmn -w \#(out)/{ticket}-{counter}.wav "请 {ticket} 号到 {counter} 号窗口""#, timeout: 20))
        rig.operations.attach(to: rig.loop, handleSignals: false)
        callTwoTickets(rig)
        _ = try runUntilQuiet(rig)
        let history = rig.operations.callOuts?.history ?? []
        #expect(history == [
            "call-out A001 → counter 1 started", "call-out A001 → counter 1 done",
            "call-out B001 → counter 2 started", "call-out B001 → counter 2 done",
        ])
        for name in ["A001-1", "B001-2"] {
            let stat = try soxStat(out + "/\(name).wav")
            // What sox said and the file's size, for a failure seen once in CI (0 s, RMS 0).
            let seen = "\(name).wav: \((try? FileManager.default.attributesOfItem(atPath: out + "/\(name).wav")[.size]) ?? "no file") bytes; sox: \(stat.report)"
            #expect(stat.seconds > 1.0, "\(name).wav lasts \(stat.seconds) s (\(seen))")
            #expect(stat.rms > 0.01, "\(name).wav is silent (RMS \(stat.rms)) (\(seen))")
        }
    }

    @Test func aCallOutPastItsTimeLimitIsStoppedAndTheDaemonAnswersMeanwhile() throws {
        let rig = try Rig(configText: try config(announce: #"sh -c "sleep 30" {ticket}"#, timeout: 1))
        rig.operations.attach(to: rig.loop, handleSignals: false)
        callTwoTickets(rig)
        let path = rig.socketPath
        let answer = try runUntilQuiet(rig) { try ControlClient.send(.ping, socketPath: path).text }
        #expect(answer?.contains("kioskd pid") == true)
        let history = rig.operations.callOuts?.history ?? []
        #expect(history.filter { $0.contains("took longer than 1 s; stopped") }.count == 2)
        #expect(history.last == "call-out B001 failed (signal 9)")
    }

    @Test func aMissingProgramIsLoggedAndTheQueueMovesOn() throws {
        let rig = try Rig(configText: try config(announce: "no-such-speaker-program {ticket}", timeout: 5))
        rig.operations.attach(to: rig.loop, handleSignals: false)
        callTwoTickets(rig)
        _ = try runUntilQuiet(rig)
        let history = rig.operations.callOuts?.history ?? []
        #expect(history.count == 2)
        #expect(history.allSatisfy { $0.contains("could not start") && $0.contains("is it installed?") })
    }
}

/// `sox FILE -n stat`: length and RMS amplitude.
func soxStat(_ path: String) throws -> (seconds: Double, rms: Double, report: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
    p.arguments = [path, "-n", "stat"]
    let pipe = Pipe()
    p.standardError = pipe
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    func value(_ key: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(key) }.flatMap { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
    }
    return (value("Length (seconds)"), value("RMS     amplitude"), "exit \(p.terminationStatus), \(text.prefix(300))")
}
