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
/// Every complete input (a character, or an escape sequence) is looked up in the `[terminal]` key
/// map of keymap.conf first, as a character or by its name (`KeyMap.terminalNames`: `enter`,
/// `tab`, `kp-enter`, `delete`, …), then in the built-in one (`KeyMap.defaultTerminal`); so every
/// input the key map can name works here. Unbound escape sequences (arrows, function keys,
/// mouse, bracketed-paste markers…) are swallowed; unbound Tab and Shift-Tab move between
/// stations. Escape sequences may arrive split across `feed` calls; the decoder keeps the
/// unfinished part. A lone Escape cannot be told from the start of a sequence until more bytes
/// come: call `flush()` when input has been idle (say 50 ms).
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
    /// The escape sequence read so far, ESC included.
    private var sequence: [UInt8] = []
    /// The key map's bindings, checked before the built-in ones.
    public var keyMap: KeyMap

    public init(keyMap: KeyMap) { self.keyMap = keyMap }

    /// Extra single-character bindings, checked before the built-in ones.
    public init(keyMap characters: [Character: Key] = [:]) {
        var bindings: [String: Key] = [:]
        for (c, k) in characters { bindings[String(c)] = k }
        self.keyMap = KeyMap(bindings: bindings)
    }

    /// True when bytes of an unfinished escape sequence are pending.
    public var isPending: Bool { state != .ground }

    public mutating func feed(_ bytes: [UInt8]) -> [TerminalInput] {
        var out: [TerminalInput] = []
        for b in bytes { step(b, &out) }
        return out
    }

    /// Call after a short idle time: a pending lone ESC becomes its key (`escape = …`) or
    /// `.other`; an unfinished sequence is dropped.
    public mutating func flush() -> [TerminalInput] {
        defer { state = .ground; sequence = [] }
        return state == .escape ? [loneEscape] : []
    }

    /// The key bound to one complete input, from the key map or the built-in one.
    private func key(for input: [UInt8]) -> Key? {
        let text = String(decoding: input, as: UTF8.self)
        return keyMap.key(for: text) ?? KeyMap.defaultTerminal.key(for: text)
    }

    private var loneEscape: TerminalInput { key(for: [0x1B]).map { .key($0) } ?? .other }

    private mutating func step(_ b: UInt8, _ out: inout [TerminalInput]) {
        let wasCR = lastWasCR
        lastWasCR = false
        switch state {
        case .ground:
            ground(b, wasCR: wasCR, &out)
        case .escape:
            sequence.append(b)
            switch b {
            case 0x5B: state = .csi  // [
            case 0x4F: state = .ss3  // O
            case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
            case 0x1B:  // ESC ESC: the first was a lone Escape
                out.append(loneEscape)
                sequence = [0x1B]
            case 0x18, 0x1A: state = .ground  // CAN/SUB abort
            default:
                // Alt+key or an unknown two-byte sequence: ignore both bytes.
                state = .ground
            }
        case .ss3:
            state = .ground
            sequence.append(b)
            if let key = key(for: sequence) { out.append(.key(key)) }
        case .csi:
            switch b {
            case 0x20...0x3F: sequence.append(b)  // parameters and intermediates
            case 0x40...0x7E:
                state = .ground
                sequence.append(b)
                if let key = key(for: sequence) { out.append(.key(key)) } else if b == 0x5A { out.append(.backTab) }  // Z
            case 0x1B:
                state = .escape
                sequence = [0x1B]
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
        switch b {
        case 0x1B:
            state = .escape
            sequence = [0x1B]
        case 0x0A where wasCR:
            break  // CR LF counts once
        case 0x03, 0x04:
            out.append(.interrupt)
        case 0x80...0xBF:
            break  // UTF-8 continuation bytes: their lead byte already counted
        case 0xC0...0xFF:
            out.append(.other)  // a non-ASCII character (the key map binds only ASCII)
        default:
            if b == 0x0D { lastWasCR = true }
            if let key = key(for: [b]) {
                out.append(.key(key))
            } else {
                out.append(b == 0x09 ? .tab : .other)
            }
        }
    }
}
