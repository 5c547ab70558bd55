#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCore
import KioskFramebuffer
import KioskStorage

/// `kioskctl screenshot STATION OUT.png`: what a station shows now, by the same layout and font
/// code as the framebuffer, at the station's display size. When kioskd runs, it draws the screen
/// as it has it now (the `screenshot` control request): the stored events lag behind the glass
/// (a ticket screen not yet stored, a farewell whose time ran out in the daemon's clock). When it
/// does not run, kioskctl draws from the stored events and says so.
enum StationScreenshot {
    static let usage = "kioskctl screenshot STATION OUT.png [--size WxH] [--time ISO8601]; STATION is a [station NAME], lobby, counter N or board"

    /// A station a screenshot is asked for, resolved against the configuration.
    struct Target {
        var role: StationID
        var station: StationConfig?
        var width: Int
        var height: Int
        /// What the answer calls it: "counter(1)" or the `[station]` name.
        var label: String {
            guard let name = station?.name, name != "\(role)" else { return "\(role)" }
            return "\(name) (\(role))"
        }
    }

    /// Finds `name` (a `[station NAME]`, `lobby`, `counter N`, `counter N` as "counterN" or
    /// `board`) and its picture size: `size`, else the station's display (`displaySize`, the
    /// running display's real size, when given), else 1920×1080.
    static func resolve(_ name: String, config: Configuration, size: ControlRequest.PictureSize?,
                        displaySize: (StationConfig) -> (width: Int, height: Int)? = { _ in nil }) throws(ControlCommand.Failure) -> Target {
        let role: StationID
        var station = config.stations.first { $0.name == name }
        if let s = station {
            role = s.role
        } else if name == "lobby" {
            role = .lobby
        } else if name == "board" {
            role = .board
        } else if let n = Int(name.replacing("counter", with: "").trimmingSpaces()), config.counter(n) != nil {
            role = .counter(n)
        } else {
            let names = config.stations.map(\.name) + ["lobby"] + config.counters.map { "counter \($0.number)" } + ["board"]
            throw ControlCommand.Failure(description: "no station '\(Excerpt.of(name, limit: 60))'; use one of: \(names.joined(separator: ", "))", code: 64)
        }
        if station == nil { station = config.stations.first { $0.role == role } }
        var (width, height) = (1920, 1080)
        if let s = station {
            let rotation = Rotation(rawValue: s.rotation) ?? .none
            if let live = displaySize(s) {
                (width, height) = live
            } else {
                switch s.display {
                case .file(_, let w, let h, _): (width, height) = rotation.logicalSize(panelWidth: w, panelHeight: h)
                case .framebuffer, .terminal: (width, height) = rotation.logicalSize(panelWidth: 1920, panelHeight: 1080)
                }
            }
        }
        if let size { (width, height) = (size.width, size.height) }
        return Target(role: role, station: station, width: width, height: height)
    }

    /// `screen` painted at the target's size with its station's font, as PNG bytes.
    static func png(_ screen: Screen, _ target: Target) throws(ControlCommand.Failure) -> [UInt8] {
        do {
            let painter = ScreenPainter(fonts: try FontSet(preferred: target.station?.font.map { FontSource(spec: $0) }))
            let canvas = Canvas(width: target.width, height: target.height)
            painter.paint(screen, on: canvas)
            return PNG.encode(RGBImage(canvas))
        } catch {
            throw ControlCommand.Failure(description: "screenshot: cannot draw: \(error)", code: 73)
        }
    }

    static func run(_ options: [String], store: EventStore, setup: KioskSetup, socketPath: String, output: (String) -> Void) throws {
        var positional: [String] = []
        var size: ControlRequest.PictureSize?
        var time: Date?
        var i = 0
        while i < options.count {
            switch options[i] {
            case "--size":
                i += 1
                guard i < options.count, let s = ControlRequest.PictureSize(options[i]) else {
                    throw ControlCommand.Failure(description: "--size needs WIDTHxHEIGHT, each side 64 to 8192, e.g. --size 1920x1080", code: 64)
                }
                size = s
            case "--time":
                i += 1
                guard i < options.count, let t = try? Date.ISO8601FormatStyle().parse(options[i]) else {
                    throw ControlCommand.Failure(description: "--time needs an ISO 8601 time, e.g. 2026-11-24T09:00:00+08:00", code: 64)
                }
                time = t
            default:
                positional.append(options[i])
            }
            i += 1
        }
        // "counter 2" may come as two words.
        if positional.count == 3, positional[0] == "counter" { positional = [positional[0] + " " + positional[1], positional[2]] }
        guard positional.count == 2 else { throw ControlCommand.Failure(description: "usage: " + usage, code: 64) }
        let (name, out) = (positional[0], positional[1])
        let target = try resolve(name, config: setup.configuration, size: size)

        // The running daemon's picture, unless a past or future time is asked for.
        var note: String
        if time == nil {
            switch fromDaemon(name, size: size, socketPath: socketPath) {
            case .picture(let bytes, let label):
                try write(bytes, to: out)
                output("\(out): \(label), as the running kioskd shows it now\n")
                return
            case .refused(let message):
                throw ControlCommand.Failure(description: "kioskd: \(message)", code: 1)
            case .notRunning(let why):
                note = why
            }
        } else {
            note = "--time given"
        }
        let now = time ?? Date()
        let events = try KioskService.replayEvents(store: store)
        let config = setup.configuration
        var machine = KioskMachine.restore(configuration: config, catalog: setup.catalogs[.chinese], events: events, now: now)
        _ = machine.handle(.quietHours(KioskService.quietHours(store: store, day: machine.state.day, timeZone: config.zone)))
        let screen = ScreenBuilder(catalogs: setup.catalogs).screen(for: target.role, machine, terminal: target.station?.name ?? "", now: now)
        try write(try png(screen, target), to: out)
        let last = try store.lastSequence()
        let asOf = events.last.map { "event #\(last) at \(LocalCalendar(config).clock($0.time))" } ?? "no events yet"
        output("\(out): \(target.label) at \(target.width)×\(target.height)\n")
        output("\(note): drawn from the stored events as of \(asOf) (what the glass shows may differ by what is not stored: a screen's timeout, a ticket being shown)\n")
    }

    enum DaemonAnswer {
        case picture([UInt8], label: String)
        case refused(String)
        /// Why kioskctl draws it itself.
        case notRunning(String)
    }

    /// Asks the daemon on `socketPath` for its picture of `name`.
    static func fromDaemon(_ name: String, size: ControlRequest.PictureSize?, socketPath: String) -> DaemonAnswer {
        let response: ControlResponse
        do { response = try ControlClient.send(.screenshot(station: name, size: size), socketPath: socketPath, timeoutSeconds: 20) } catch let e as SocketError where e.code == ENOENT || e.code == ECONNREFUSED {
            return .notRunning("kioskd is not running (no daemon at \(socketPath))")
        } catch {
            return .notRunning("kioskd did not answer (\(error))")
        }
        if !response.ok {
            // A daemon from before screenshots were answered.
            if response.text.hasPrefix("unknown request") { return .notRunning("the running kioskd does not answer screenshots (update it)") }
            return .refused(response.text.trimmingNewlines())
        }
        guard let picture = ScreenshotAnswer(text: response.text) else {
            return .refused("unreadable screenshot answer (\(response.text.utf8.count) bytes)")
        }
        return .picture(picture.png, label: picture.label)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(ControlCommand.Failure) {
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw ControlCommand.Failure(description: "screenshot: cannot write \(path): \(errorText(error))", code: 73)
        }
    }
}

/// The text of an `ok` answer to `screenshot`: a line saying what it is, then the PNG in base64
/// on one line (`png ` then the base64). Base64 in the answer rather than a file the daemon
/// writes: kioskd never writes where a client names, and nothing is left behind in /run/kiosk.
public struct ScreenshotAnswer: Equatable, Sendable {
    public var label: String
    public var png: [UInt8]

    public init(label: String, png: [UInt8]) { self.label = label; self.png = png }

    public var text: String { label + "\npng " + Data(png).base64EncodedString() + "\n" }

    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[1].hasPrefix("png "), let data = Data(base64Encoded: String(lines[1].dropFirst(4))) else { return nil }
        label = String(lines[0])
        png = Array(data)
    }
}

extension DaemonOperations {
    /// The most pixels a screenshot the daemon draws may have.
    static let largestScreenshot = 3840 * 2160

    /// Answers `screenshot STATION`: the screen as this daemon has it now (the same model the
    /// display is drawn from), painted at the station's display size. Drawn on the loop's thread
    /// like a full redraw of one more display.
    func screenshot(_ name: String, size: ControlRequest.PictureSize?, now: Date) -> ControlResponse {
        // A 4K picture at most (33 MB of canvas): the kiosk's memory and its loop are for residents.
        if let size, size.width * size.height > Self.largestScreenshot {
            return .error("screenshot: --size \(size.width)x\(size.height) is larger than kioskd draws (at most 3840×2160 pixels in all); ask for a smaller size")
        }
        do {
            let target = try StationScreenshot.resolve(name, config: service.setup.configuration, size: size, displaySize: displaySize)
            let screen = StationFrontend.screen(for: target.role, terminal: target.station?.name ?? "", service: service, now: now)
            let png = try StationScreenshot.png(screen, target)
            let label = "\(target.label) at \(target.width)×\(target.height), \(LocalCalendar(service.setup.configuration).clock(now))"
            return .ok(ScreenshotAnswer(label: label, png: png).text)
        } catch {
            return .error(error.description)
        }
    }
}
