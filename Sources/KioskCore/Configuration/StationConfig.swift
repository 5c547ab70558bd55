#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// One physical station in `kiosk.conf` (`[station NAME]`): which screen it shows (the lobby, a
/// counter or the waiting-room board), on which display, read from which keypad.
///
/// ```
/// [station lobby]
/// role = lobby
/// display = fb:/dev/fb0
/// keypad = /dev/input/by-id/usb-Lobby_Keypad-event-kbd
/// rotation = 90
/// printer = /dev/usb/lp0
///
/// [station wall]
/// role = board
/// display = fb:/dev/fb2
/// ```
/// A board only shows: a `keypad`, `keys` or `printer` in its section is an error.
public struct StationConfig: Equatable, Sendable {
    public var name: String
    public var role: StationID = .lobby
    public var display: DisplaySpec = .terminal
    public var keypad: KeypadSpec?
    /// Clockwise turn of the picture for panels mounted on their side: 0, 90, 180 or 270.
    public var rotation: Int = 0
    /// Font file (`PATH` or `PATH#FACE`); nil uses the built-in search order.
    public var font: String?
    /// evdev key name → kiosk key, replacing the keymap.conf [evdev] bindings for this keypad
    /// (a 4-button rating pad that sends other codes).
    public var keys: [String: Key]?
    /// ESC/POS receipt printer of the station (`printer = /dev/usb/lp0`). A lobby's: the tickets
    /// taken on its keypad print here (nil: the `[kiosk]` printer, if any). A counter's: the
    /// commitment slips (承诺兑现单) of the cases opened for its visits (nil: none printed).
    public var printer: String?

    public init(name: String) { self.name = name }

    static let keys = ["role", "display", "keypad", "rotation", "font", "keys", "printer"]
    /// Keys that make no sense on a display-only board (`role = board`).
    static let inputKeys = ["keypad", "keys", "printer"]

    /// Applies one `key = value`; returns an error message (what is wrong and how to write it) or nil.
    mutating func set(_ key: String, _ value: String) -> String? {
        let label = "[station \(Excerpt.of(name))]"
        switch key {
        case "role":
            if value == "lobby" { role = .lobby; return nil }
            if value == "board" { role = .board; return nil }
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, parts[0] == "counter", let n = Int(parts[1]), (1...99).contains(n) { role = .counter(n); return nil }
            return "role = \(Excerpt.of(value)) in \(label) is not a role; write role = lobby or role = counter N (N = 1–99), or role = board for the waiting-room board"
        case "display":
            switch DisplaySpec.parse(value) {
            case .success(let d): display = d; return nil
            case .failure(let e): return "display = \(Excerpt.of(value)) in \(label): \(e.message)"
            }
        case "keypad":
            switch KeypadSpec.parse(value) {
            case .success(let k): keypad = k; return nil
            case .failure(let e): return "keypad = \(Excerpt.of(value)) in \(label): \(e.message)"
            }
        case "rotation":
            guard let r = Int(value), [0, 90, 180, 270].contains(r) else {
                return "rotation = \(Excerpt.of(value)) in \(label) is not allowed; use 0, 90, 180 or 270 (degrees clockwise)"
            }
            rotation = r
            return nil
        case "font":
            font = value
            return nil
        case "keys":
            var map: [String: Key] = [:]
            for item in value.split(separator: ",") {
                let pair = item.split(separator: ":").map { $0.trimmingSpaces() }
                guard pair.count == 2, KeyMap.evdevCodes[pair[0]] != nil, let k = Key(name: pair[1]) else {
                    return "keys in \(label) has '\(Excerpt.of(item.trimmingSpaces()))'; write keys = KEY_NAME:KEY, … e.g. keys = KEY_F1:1, KEY_F2:2, KEY_F3:3, KEY_F4:4 (KEY names as in keymap.conf)"
                }
                map[pair[0]] = k
            }
            keys = map
            return nil
        case "printer":
            guard value.hasPrefix("/") else {
                return "printer = \(Excerpt.of(value)) in \(label) must be a device path; e.g. printer = /dev/usb/lp0"
            }
            printer = value
            return nil
        default:
            return nil
        }
    }
}

/// A problem with a display or keypad value.
public struct SpecError: Error, Equatable {
    public var message: String
}

/// Where a station's picture goes.
public enum DisplaySpec: Equatable, Sendable, CustomStringConvertible {
    /// A Linux framebuffer device (`fb:/dev/fb0`).
    case framebuffer(path: String)
    /// A file standing in for a framebuffer (`file:PATH?width=W&height=H&bpp=B`): tests, previews.
    case file(path: String, width: Int, height: Int, bitsPerPixel: Int)
    /// The text console (the demo's panels).
    case terminal

    public var description: String {
        switch self {
        case .framebuffer(let p): return "fb:\(p)"
        case .file(let p, let w, let h, let b): return "file:\(p)?width=\(w)&height=\(h)&bpp=\(b)"
        case .terminal: return "terminal"
        }
    }

    public static func parse(_ value: String) -> Result<DisplaySpec, SpecError> {
        if value == "terminal" { return .success(.terminal) }
        if value.hasPrefix("fb:") {
            let path = String(value.dropFirst(3))
            guard path.hasPrefix("/") else { return .failure(SpecError(message: "write fb:/dev/fbN with an absolute device path")) }
            return .success(.framebuffer(path: path))
        }
        if value.hasPrefix("file:") {
            let rest = value.dropFirst(5)
            let parts = rest.split(separator: "?", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                return .failure(SpecError(message: "write file:PATH?width=W&height=H&bpp=B, e.g. file:/tmp/lobby.fb?width=800&height=480&bpp=32"))
            }
            var fields: [String: Int] = [:]
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, ["width", "height", "bpp"].contains(String(kv[0])), let n = Int(kv[1]) else {
                    return .failure(SpecError(message: "'\(Excerpt.of(pair))' is not width=N, height=N or bpp=N"))
                }
                fields[String(kv[0])] = n
            }
            guard let w = fields["width"], let h = fields["height"], (64...8192).contains(w), (64...8192).contains(h) else {
                return .failure(SpecError(message: "width and height are required, each from 64 to 8192 pixels"))
            }
            let bpp = fields["bpp"] ?? 32
            guard [16, 24, 32].contains(bpp) else { return .failure(SpecError(message: "bpp must be 16, 24 or 32")) }
            return .success(.file(path: String(parts[0]), width: w, height: h, bitsPerPixel: bpp))
        }
        return .failure(SpecError(message: "use fb:/dev/fbN, file:PATH?width=W&height=H&bpp=B or terminal"))
    }
}

/// Where a station's keys come from.
public enum KeypadSpec: Equatable, Sendable, CustomStringConvertible {
    /// An evdev device (`/dev/input/by-id/usb-…-event-kbd` or `/dev/input/eventN`).
    case evdev(path: String)
    /// The first free evdev device that has these keys (`auto`, `auto:KEY_F1,KEY_F2`).
    case matching(KeypadMatch)
    /// A recording replayed with its original timing (`evemu:PATH`).
    case evemu(path: String)

    public var description: String {
        switch self {
        case .evdev(let p): return p
        case .matching(let m): return m.description
        case .evemu(let p): return "evemu:\(p)"
        }
    }

    public static func parse(_ value: String) -> Result<KeypadSpec, SpecError> {
        if value.hasPrefix("evemu:") {
            let path = String(value.dropFirst(6))
            return path.isEmpty ? .failure(SpecError(message: "write evemu:PATH to a recording made by evemu-record")) : .success(.evemu(path: path))
        }
        if value == "auto" || value.hasPrefix("auto:") {
            return KeypadMatch.parse(value).map { .matching($0) }
        }
        guard value.hasPrefix("/") else {
            return .failure(SpecError(message: "use a device path such as /dev/input/by-id/usb-…-event-kbd, auto (any free numeric keypad), auto:KEY_F1,KEY_F2,… (any free device with these keys), or evemu:PATH"))
        }
        return .success(.evdev(path: value))
    }
}

/// Selection of a keypad by capability: the device must report every one of `keys`. `auto`
/// means a numeric keypad (the digits and Enter of the keypad block), which is what the kiosk's
/// key map needs; `auto:KEY_…` names other keys, e.g. for a 4-button rating pad.
public struct KeypadMatch: Equatable, Sendable, CustomStringConvertible {
    /// evdev key codes the device must have.
    public var keys: [UInt16]
    /// The names as written, for messages.
    public var keyNames: [String]

    public static let numericKeypad = KeypadMatch(
        keys: ["KEY_KP0", "KEY_KP1", "KEY_KP2", "KEY_KP3", "KEY_KP4", "KEY_KP5", "KEY_KP6", "KEY_KP7", "KEY_KP8", "KEY_KP9", "KEY_KPENTER"].map { KeyMap.evdevCodes[$0]! },
        keyNames: ["KEY_KP0–KEY_KP9", "KEY_KPENTER"])

    public var description: String { self == .numericKeypad ? "auto" : "auto:" + keyNames.joined(separator: ",") }

    static func parse(_ value: String) -> Result<KeypadMatch, SpecError> {
        if value == "auto" { return .success(.numericKeypad) }
        let names = value.dropFirst(5).split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return .failure(SpecError(message: "write auto:KEY_NAME,KEY_NAME,… (the keys the device must have), or just auto for a numeric keypad")) }
        var codes: [UInt16] = []
        for name in names {
            guard let code = KeyMap.evdevCodes[name] else {
                var message = "'\(Excerpt.of(name))' is not a known evdev key name"
                if let s = ConfigurationLexer.suggestion(for: name, among: KeyMap.evdevCodes.keys.sorted()) { message += " (did you mean '\(s)'?)" }
                return .failure(SpecError(message: message + "; use names like KEY_F1 (see `evtest` or linux/input-event-codes.h)"))
            }
            codes.append(code)
        }
        return .success(KeypadMatch(keys: codes, keyNames: names))
    }
}
