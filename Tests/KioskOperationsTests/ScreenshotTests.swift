import Foundation
import KioskCore
import KioskFramebuffer
import KioskRuntime
import Synchronization
import Testing

/// `kioskctl screenshot`: the running daemon's picture of what it shows now (the control request
/// `screenshot STATION`), and, without a daemon, a picture from the stored events that says so.
@Suite("kioskctl screenshot", .serialized)
struct ScreenshotTests {
    @Test func screenshotRequestsParseAndBadOnesSayWhatToType() {
        #expect(ControlRequest.parse("screenshot lobby") == .success(.screenshot(station: "lobby", size: nil)))
        #expect(ControlRequest.parse("screenshot counter  2 --size 1080x1920\n")
                == .success(.screenshot(station: "counter 2", size: .init(width: 1080, height: 1920))))
        #expect(ControlRequest.parse("screenshot front desk") == .success(.screenshot(station: "front desk", size: nil)))
        let request = ControlRequest.screenshot(station: "counter 2", size: .init(width: 800, height: 480))
        #expect(ControlRequest.parse(request.line) == .success(request))
        for bad in ["screenshot", "screenshot --size 800x480", "screenshot lobby --size 10x10", "screenshot lobby --size 800x480x2",
                    "screenshot --size 800x480 lobby", "screenshot lobby --size", "screenshot lobby --size 99999x480",
                    "screenshot " + String(repeating: "x", count: 101), "screenshot lob\u{1B}[2Jby", "screenshot lob\u{85}by"] {
            guard case .failure(let e) = ControlRequest.parse(bad) else { Issue.record("accepted '\(bad)'"); continue }
            #expect(e.description.contains("screenshot"), "\(e.description)")
        }
    }

    /// 2.3 s after a ticket the lobby showed the ticket screen while the screenshot drawn from the
    /// stored events showed the welcome table: the daemon's answer is the screen it has now.
    @Test func theRunningDaemonAnswersWithTheScreenItShowsNow() throws {
        let now = Date(timeIntervalSince1970: 1_795_485_600)  // 2026-11-24 10:00 in Asia/Shanghai
        let rig = try Rig(clock: { now })
        defer { try? FileManager.default.removeItem(atPath: rig.folder) }
        rig.service.handle(.key(.digit(1), station: .lobby, at: now))
        rig.service.handle(.key(.enter, station: .lobby, at: now))
        let live = StationFrontend.screen(for: .lobby, service: rig.service, now: now)
        #expect(live.blocks.contains { if case .banner = $0 { return true } else { return false } }, "the lobby shows the ticket: \(live)")

        let runtime = rig.folder + "/run"
        let folder = rig.folder
        let state = rig.folder + "/state"
        let config = rig.configPath
        let (lobby, portrait, unknown, refused) = try rig.run {
            let lobby = run(["--state-dir", state, "--config", config, "--runtime-dir", runtime, "screenshot", "lobby", folder + "/lobby.png"])
            let portrait = run(["--state-dir", state, "--config", config, "--runtime-dir", runtime, "screenshot", "counter", "1",
                                folder + "/counter.png", "--size", "1080x1920"])
            let unknown = run(["--state-dir", state, "--config", config, "--runtime-dir", runtime, "screenshot", "nowhere", folder + "/x.png"])
            // kioskctl checks the name against its configuration; the daemon against its own.
            let refused = try ControlClient.send(.screenshot(station: "nowhere", size: nil), socketPath: runtime + "/control.sock")
            let huge = try ControlClient.send(.screenshot(station: "lobby", size: .init(width: 8192, height: 8192)), socketPath: runtime + "/control.sock")
            return (lobby, portrait, unknown, [refused, huge])
        }
        #expect(lobby.status == 0, "\(lobby.errors)")
        #expect(lobby.output.contains("as the running kioskd shows it now"), "\(lobby.output)")
        #expect(!lobby.output.contains("stored events"))
        let fromDaemon = try PNG.read(path: folder + "/lobby.png")
        #expect(fromDaemon.width == 1920 && fromDaemon.height == 1080)
        // The very picture the display would get now.
        let painter = ScreenPainter(fonts: try FontSet(preferred: nil))
        let canvas = Canvas(width: 1920, height: 1080)
        painter.paint(live, on: canvas)
        #expect(fromDaemon == RGBImage(canvas))

        #expect(portrait.status == 0, "\(portrait.errors)")
        let counter = try PNG.read(path: folder + "/counter.png")
        #expect(counter.width == 1080 && counter.height == 1920)

        #expect(unknown.status == 64)
        #expect(unknown.errors.contains("no station 'nowhere'; use one of: lobby, counter 1"), "\(unknown.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.png"))
        #expect(!refused[0].ok && refused[0].text.hasPrefix("no station 'nowhere'; use one of: lobby, counter 1"), "\(refused[0])")
        #expect(!refused[1].ok && refused[1].text.contains("larger than kioskd draws"), "\(refused[1])")

        // Without the daemon: drawn from the stored events (the welcome table), and said so.
        let stored = run(["--state-dir", state, "--config", config, "--runtime-dir", runtime, "screenshot", "lobby", folder + "/stored.png",
                          "--time", ISO8601DateFormatter().string(from: now)])
        #expect(stored.status == 0, "\(stored.errors)")
        let last = try rig.service.store.lastSequence()
        #expect(stored.output.contains("--time given: drawn from the stored events as of event #\(last) at 10:00:00"), "\(stored.output)")
        #expect(try PNG.read(path: folder + "/stored.png") != fromDaemon)
    }

    @Test func withoutADaemonItSaysThePictureIsTheStoredState() throws {
        let rig = try Rig()
        defer { try? FileManager.default.removeItem(atPath: rig.folder) }
        rig.service.handle(.key(.digit(1), station: .lobby, at: Date()))
        rig.service.handle(.key(.enter, station: .lobby, at: Date()))
        let empty = makeTemporaryFolder("no-daemon")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let r = run(["--state-dir", rig.folder + "/state", "--config", rig.configPath, "--runtime-dir", empty,
                     "screenshot", "board", rig.folder + "/board.png"])
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.contains("kioskd is not running (no daemon at \(empty)/control.sock): drawn from the stored events as of event #\(try rig.service.store.lastSequence()) at "), "\(r.output)")
        #expect(try PNG.read(path: rig.folder + "/board.png").width == 1920)
    }

    @Test func theAnswerCarriesThePictureLosslessly() {
        let png = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = ScreenshotAnswer(label: "lobby at 1920×1080, 10:00:00", png: png).text
        // Through the wire form of an answer, as the client parses it.
        let answer = ControlResponse.parse(ControlResponse.ok(text).bytes).flatMap { ScreenshotAnswer(text: $0.text) }
        #expect(answer?.label == "lobby at 1920×1080, 10:00:00")
        #expect(answer?.png == png)
    }
}

/// `kioskctl` in-process: its exit status, what it printed and what it reported as errors.
private func run(_ arguments: [String]) -> (status: Int32, output: String, errors: String) {
    let out = Mutex("")
    let err = Mutex("")
    let status = ControlCommand.main(arguments, output: { t in out.withLock { $0 += t } }, error: { t in err.withLock { $0 += t } })
    return (status, out.withLock { $0 }, err.withLock { $0 })
}
