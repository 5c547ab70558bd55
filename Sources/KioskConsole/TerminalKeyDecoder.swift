import KioskCore

/// Something typed on the console.
public enum TerminalInput: Equatable, Hashable, Sendable {
    /// A kiosk key (digits, * + - / ., Enter, Backspace), from the main keys or the keypad.
    case key(Key)
    /// Tab: next station in `--demo`.
    case tab
    /// Shift-Tab (`ESC [ Z`): previous station.
    case backTab
    /// Ctrl-C (0x03) or Ctrl-D (0x04). Raw mode turns ISIG off, so the daemon decides what it means.
    case interrupt
    /// Any other character (letters, other control bytes, a lone Escape, a non-ASCII character).
    case other
}

/// Decodes raw terminal bytes into `TerminalInput`s, byte stream in, events out.
///
/// Escape sequences may arrive split across `feed` calls; the decoder keeps the unfinished part.
/// Numeric-keypad application-mode sequences (`ESC O p`…`ESC O y` → 0…9, `ESC O k/m/j/o/M/n` →
/// + - * / Enter .) become keys; every other escape sequence (arrows, function keys, mouse,
/// bracketed-paste markers…) is swallowed. A lone Escape cannot be told from the start of a
/// sequence until more bytes come: call `flush()` when input has been idle (say 50 ms).
public struct TerminalKeyDecoder: Sendable {
    private enum State: Equatable, Sendable {
        case ground
        case escape  // after ESC
        case ss3  // after ESC O
        case csi  // after ESC [ (parameters and intermediates)
        case string  // OSC/DCS/etc. until ST or BEL
        case stringEscape  // ESC inside a string (possible ST)
    }

    private var state: State = .ground
    private var lastWasCR = false
    /// Extra printable-ASCII mappings (from the key map), checked before the built-in ones.
    public var keyMap: [UInt8: Key]

    public init(keyMap: [Character: Key] = [:]) {
        var map: [UInt8: Key] = [:]
        for (c, k) in keyMap { if let a = c.asciiValue { map[a] = k } }
        self.keyMap = map
    }

    /// True when bytes of an unfinished escape sequence are pending.
    public var isPending: Bool { state != .ground }

    public mutating func feed(_ bytes: [UInt8]) -> [TerminalInput] {
        var out: [TerminalInput] = []
        for b in bytes { step(b, &out) }
        return out
    }

    /// Call after a short idle time: a pending lone ESC becomes `.other`; an unfinished
    /// sequence is dropped.
    public mutating func flush() -> [TerminalInput] {
        defer { state = .ground }
        return state == .escape ? [.other] : []
    }

    private mutating func step(_ b: UInt8, _ out: inout [TerminalInput]) {
        let wasCR = lastWasCR
        lastWasCR = false
        switch state {
        case .ground:
            ground(b, wasCR: wasCR, &out)
        case .escape:
            switch b {
            case 0x5B: state = .csi  // [
            case 0x4F: state = .ss3  // O
            case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
            case 0x1B: out.append(.other)  // ESC ESC: the first was a lone Escape
            case 0x18, 0x1A: state = .ground  // CAN/SUB abort
            default:
                // Alt+key or an unknown two-byte sequence: ignore both bytes.
                state = .ground
            }
        case .ss3:
            state = .ground
            if let key = Self.keypad[b] { out.append(.key(key)) }
        case .csi:
            switch b {
            case 0x20...0x3F: break  // parameters and intermediates
            case 0x40...0x7E:
                state = .ground
                if b == 0x5A { out.append(.backTab) }  // Z
            case 0x1B: state = .escape
            case 0x18, 0x1A: state = .ground
            default: break  // control bytes inside a sequence are ignored
            }
        case .string:
            if b == 0x07 { state = .ground } else if b == 0x1B { state = .stringEscape }
        case .stringEscape:
            state = b == 0x5C ? .ground : .string
        }
    }

    private mutating func ground(_ b: UInt8, wasCR: Bool, _ out: inout [TerminalInput]) {
        if let key = keyMap[b] {
            out.append(.key(key))
            return
        }
        switch b {
        case 0x1B: state = .escape
        case 0x0D:
            out.append(.key(.enter))
            lastWasCR = true
        case 0x0A:
            if !wasCR { out.append(.key(.enter)) }  // CR LF counts once
        case 0x09: out.append(.tab)
        case 0x7F, 0x08: out.append(.key(.backspace))
        case 0x03, 0x04: out.append(.interrupt)
        case 0x30...0x39: out.append(.key(.digit(Int(b - 0x30))))
        case 0x2A: out.append(.key(.star))
        case 0x2B: out.append(.key(.plus))
        case 0x2D: out.append(.key(.minus))
        case 0x2F: out.append(.key(.slash))
        case 0x2E: out.append(.key(.dot))
        case 0x80...0xBF: break  // UTF-8 continuation bytes: their lead byte already counted
        default: out.append(.other)
        }
    }

    /// Keypad application mode, final byte after `ESC O`.
    private static let keypad: [UInt8: Key] = {
        var map: [UInt8: Key] = [:]
        for d in 0...9 { map[UInt8(0x70 + d)] = .digit(d) }  // p…y
        map[UInt8(ascii: "k")] = .plus
        map[UInt8(ascii: "m")] = .minus
        map[UInt8(ascii: "j")] = .star
        map[UInt8(ascii: "o")] = .slash
        map[UInt8(ascii: "M")] = .enter
        map[UInt8(ascii: "n")] = .dot
        return map
    }()
}
