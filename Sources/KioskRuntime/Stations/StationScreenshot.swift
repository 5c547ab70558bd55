import Foundation
import KioskCore
import KioskFramebuffer
import KioskStorage

/// `kioskctl screenshot STATION OUT.png`: what a station shows now, drawn from the stored events
/// (read-only, so it works while kioskd runs and without it) by the same layout and font code as
/// the framebuffer, at the station's display size.
enum StationScreenshot {
    static let usage = "kioskctl screenshot STATION OUT.png [--size WxH] [--time ISO8601]; STATION is a [station NAME], lobby, counter N or board"

    static func run(_ options: [String], store: EventStore, setup: KioskSetup, output: (String) -> Void) throws {
        var positional: [String] = []
        var size: (Int, Int)?
        var now = Date()
        var i = 0
        while i < options.count {
            switch options[i] {
            case "--size":
                i += 1
                let parts = i < options.count ? options[i].split(separator: "x").compactMap { Int($0) } : []
                guard parts.count == 2, (64...8192).contains(parts[0]), (64...8192).contains(parts[1]) else {
                    throw ControlCommand.Failure(description: "--size needs WIDTHxHEIGHT, e.g. --size 1920x1080", code: 64)
                }
                size = (parts[0], parts[1])
            case "--time":
                i += 1
                guard i < options.count, let t = ISO8601DateFormatter().date(from: options[i]) else {
                    throw ControlCommand.Failure(description: "--time needs an ISO 8601 time, e.g. 2026-11-24T09:00:00+08:00", code: 64)
                }
                now = t
            default:
                positional.append(options[i])
            }
            i += 1
        }
        // "counter 2" may come as two words.
        if positional.count == 3, positional[0] == "counter" { positional = [positional[0] + " " + positional[1], positional[2]] }
        guard positional.count == 2 else { throw ControlCommand.Failure(description: "usage: " + usage, code: 64) }
        let (name, out) = (positional[0], positional[1])
        let config = setup.configuration
        var role: StationID
        var station = config.stations.first { $0.name == name }
        if let s = station {
            role = s.role
        } else if name == "lobby" {
            role = .lobby
        } else if name == "board" {
            role = .board
        } else if let n = Int(name.replacingOccurrences(of: "counter", with: "").trimmingCharacters(in: .whitespaces)), config.counter(n) != nil {
            role = .counter(n)
        } else {
            let names = config.stations.map(\.name) + ["lobby"] + config.counters.map { "counter \($0.number)" } + ["board"]
            throw ControlCommand.Failure(description: "no station '\(name)'; use one of: \(names.joined(separator: ", "))", code: 64)
        }
        if station == nil { station = config.stations.first { $0.role == role } }
        var (width, height) = (1920, 1080)
        var rotation = Rotation.none
        if let s = station {
            rotation = Rotation(rawValue: s.rotation) ?? .none
            switch s.display {
            case .file(_, let w, let h, _): (width, height) = rotation.logicalSize(panelWidth: w, panelHeight: h)
            case .framebuffer, .terminal: (width, height) = rotation.logicalSize(panelWidth: 1920, panelHeight: 1080)
            }
        }
        if let size { (width, height) = size }

        let events = try KioskService.replayEvents(store: store)
        var machine = KioskMachine.restore(configuration: config, catalog: setup.catalogs[.chinese], events: events, now: now)
        _ = machine.handle(.quietHours(KioskService.quietHours(store: store, day: machine.state.day, timeZone: config.timeZone)))
        let screen = ScreenBuilder(catalogs: setup.catalogs).screen(for: role, machine, now: now)
        do {
            let painter = ScreenPainter(fonts: try FontSet(preferred: station?.font.map { FontSource(spec: $0) }))
            let canvas = Canvas(width: width, height: height)
            painter.paint(screen, on: canvas)
            try PNG.write(RGBImage(canvas), to: out)
        } catch {
            throw ControlCommand.Failure(description: "screenshot: \(error)", code: 73)
        }
        output("\(out): \(role) at \(width)×\(height)\n")
    }
}
