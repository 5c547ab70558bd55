#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
import KioskCore

/// A keypad session recorded with `evemu-record`: header lines (`N:`, `I:`, `P:`, `B:`, `A:`,
/// `L:`, `S:`, comments) and event lines `E: <sec>.<usec> <type> <code> <value>` with type and
/// code in hex and the value in decimal; LF or CRLF line ends. Lines that cannot be decoded are
/// reported with their line number and skipped; a recording with no events at all cannot be
/// played (`check`), so it is refused rather than replayed as silence.
public struct EvemuRecording: Equatable, Sendable {
    public var deviceName: String?
    /// Bus type of the recorded device (`I:` line; `0x03` USB).
    public var bus: UInt16?
    /// The `EV_KEY` codes the recorded device reports (`B: 01` bitmap lines).
    public var keys: Set<UInt16> = []
    public var events: [InputEvent]
    public var problems: [Problem]

    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func load(path: String) throws -> EvemuRecording {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw KeypadError(.cannotReadRecording, "evemu recording \(path) does not exist; record one with evemu-record, or fix keypad = evemu:PATH in kiosk.conf")
        }
        guard !isDirectory, let data = FileManager.default.contents(atPath: path) else {
            throw KeypadError(.cannotReadRecording, "cannot read evemu recording \(path); check that it is a file the daemon's user may read, or fix keypad = evemu:PATH in kiosk.conf")
        }
        let recording = parse(String(decoding: data, as: UTF8.self))
        guard !recording.events.isEmpty else {
            var message = "evemu recording \(path) has no events (no E: lines"
            if let first = recording.problems.first { message += "; \(recording.problems.count) line\(recording.problems.count == 1 ? "" : "s") could not be read, first \(first)" }
            throw KeypadError(.cannotReadRecording, message + "); record the keypad with evemu-record, or fix keypad = evemu:PATH in kiosk.conf")
        }
        return recording
    }

    /// The problems worth reporting, at most `limit` of them, then one line saying how many more
    /// (a damaged recording of 100,000 lines must not write 100,000 log lines).
    public func problemSummary(limit: Int = 10) -> [String] {
        var lines = problems.prefix(limit).map(\.description)
        if problems.count > limit { lines.append("\(problems.count - limit) more lines could not be read") }
        return lines
    }

    public static func parse(_ text: String) -> EvemuRecording {
        var recording = EvemuRecording(deviceName: nil, events: [], problems: [])
        var keyBytes: [UInt8] = []  // the EV_KEY bitmap, 8 bytes per B: 01 line
        var number = 0
        // "\r\n" is one Character in Swift: splitting on "\n" alone would leave a CRLF file one line.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            line = line.drop { $0 == " " || $0 == "\t" }
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line.removeLast() }
            if line.isEmpty { continue }
            if line.hasPrefix("N:") { recording.deviceName = String(line.dropFirst(2).trimmingSpaces()); continue }
            if line.hasPrefix("I:") || line.hasPrefix("B:") {
                let fields = line.dropFirst(2).split(separator: " ")
                if line.hasPrefix("I:"), let bus = fields.first.flatMap({ UInt16($0, radix: 16) }) { recording.bus = bus }
                if line.hasPrefix("B:"), fields.first == "01" { keyBytes += fields.dropFirst().compactMap { UInt8($0, radix: 16) } }
                continue
            }
            if ["P:", "A:", "L:", "S:"].contains(where: { line.hasPrefix($0) }) { continue }
            guard line.hasPrefix("E:") else {
                recording.problems.append(Problem(line: number, message: "'\(Excerpt.of(line, limit: 40))' is not an evemu line (E: sec.usec type code value)"))
                continue
            }
            let fields = line.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 4 else {
                recording.problems.append(Problem(line: number, message: "an event needs 4 fields (time type code value), found \(fields.count)"))
                continue
            }
            guard let time = parseTime(fields[0]) else {
                recording.problems.append(Problem(line: number, message: "bad time '\(Excerpt.of(fields[0], limit: 40))'; expected seconds.microseconds"))
                continue
            }
            guard let type = UInt16(fields[1], radix: 16), let code = UInt16(fields[2], radix: 16), let value = Int32(fields[3]) else {
                recording.problems.append(Problem(line: number, message: "bad type/code/value '\(Excerpt.of(fields[1...3].joined(separator: " "), limit: 40))'; type and code are hex, value decimal"))
                continue
            }
            recording.events.append(InputEvent(time: time, type: type, code: code, value: value))
        }
        for (index, byte) in keyBytes.enumerated() {
            for bit in 0..<8 where byte & (1 << bit) != 0 { recording.keys.insert(UInt16(index * 8 + bit)) }
        }
        return recording
    }

    private static func parseTime(_ s: Substring) -> Double? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let sec = Int64(parts[0]), let usec = Int64(parts[1]), sec >= 0, usec >= 0, usec < 1_000_000 else { return nil }
        return Double(sec) + Double(usec) / 1_000_000
    }

    /// The text `evemu-record` would write for these events (used to make recordings in tests).
    public static func format(_ events: [InputEvent], deviceName: String = "kiosk keypad") -> String {
        var out = "# EVEMU 1.3\nN: \(deviceName)\n"
        for e in events {
            let sec = Int64(e.time.rounded(.down))
            let usec = Int64(((e.time - Double(sec)) * 1_000_000).rounded())
            out += String(cFormat: "E: %lld.%06lld %04x %04x %d\n", sec, usec, e.type, e.code, e.value)
        }
        return out
    }
}

/// Plays a recording back with its original timing against an injected clock: the first event
/// is due at the start, each later one after the same interval as when it was recorded.
public struct EvemuReplay: Sendable {
    public let events: [InputEvent]
    public private(set) var next = 0
    public let start: Double

    /// - Parameter start: the clock reading (seconds) at which the first event is due.
    public init(events: [InputEvent], start: Double) {
        self.events = events
        self.start = start
    }

    public var isFinished: Bool { next >= events.count }

    /// Seconds from `now` until the next event is due (0 when overdue), nil when finished.
    public func delay(now: Double) -> Double? {
        guard !isFinished else { return nil }
        return max(0, start + (events[next].time - events[0].time) - now)
    }

    /// The events due at `now`, in order.
    public mutating func due(now: Double) -> [InputEvent] {
        var out: [InputEvent] = []
        while next < events.count, start + (events[next].time - events[0].time) <= now {
            out.append(events[next])
            next += 1
        }
        return out
    }
}
