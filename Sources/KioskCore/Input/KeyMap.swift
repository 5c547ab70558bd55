#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Translates what an input device produces into a `Key`. Loaded from `Kiosk/keymap.conf`:
/// `[terminal]` maps terminal input (a printable ASCII character, or a name such as `enter`) and
/// `[evdev]` maps Linux evdev key names (`KEY_KP1`). The defaults below are exactly what the
/// shipped file says. Whatever a file may name works: the console's `TerminalKeyDecoder` looks
/// every input up here by character and by name, the evdev `KeypadDecoder` by `evdevCodes`; a
/// name neither could act on is refused, with its line.
public struct KeyMap: Equatable, Sendable {
    /// Input name → key. Terminal maps use single characters or the names in `terminalNames`;
    /// evdev maps use `KEY_…` names.
    public var bindings: [String: Key]

    public init(bindings: [String: Key]) { self.bindings = bindings }

    /// The key for `input`: a binding's left side exactly, or raw terminal input (`"\r"`, `"\u{7f}"`,
    /// `"\u{1b}OM"`, …) translated to its name first. Nil when unbound.
    public func key(for input: String) -> Key? {
        if let key = bindings[input] { return key }
        if let name = KeyMap.terminalName(for: input), let key = bindings[name] { return key }
        return nil
    }

    // MARK: - Names

    /// Named terminal inputs and the byte sequences that produce them. `kp-…` are the keypad in
    /// application mode (DECKPAM); in the usual numeric mode the keypad sends plain characters.
    public static let terminalNames: [String: [String]] = [
        "enter": ["\r", "\n", "\r\n"],
        "backspace": ["\u{7f}", "\u{08}"],
        "tab": ["\t"],
        "space": [" "],
        "escape": ["\u{1b}"],
        "delete": ["\u{1b}[3~"],
        "hash": ["#"],
        "semicolon": [";"],
        "equals": ["="],
        "kp-enter": ["\u{1b}OM"],
        "kp-0": ["\u{1b}Op"], "kp-1": ["\u{1b}Oq"], "kp-2": ["\u{1b}Or"], "kp-3": ["\u{1b}Os"], "kp-4": ["\u{1b}Ot"],
        "kp-5": ["\u{1b}Ou"], "kp-6": ["\u{1b}Ov"], "kp-7": ["\u{1b}Ow"], "kp-8": ["\u{1b}Ox"], "kp-9": ["\u{1b}Oy"],
        "kp-star": ["\u{1b}Oj"], "kp-plus": ["\u{1b}Ok"], "kp-minus": ["\u{1b}Om"], "kp-slash": ["\u{1b}Oo"],
        "kp-dot": ["\u{1b}On"], "kp-comma": ["\u{1b}Ol"],
    ]

    static let terminalNameBySequence: [String: String] = {
        var map: [String: String] = [:]
        for (name, sequences) in terminalNames { for s in sequences { map[s] = name } }
        return map
    }()

    /// The name of raw terminal input with a name (`"\r"` → `enter`), else nil.
    public static func terminalName(for input: String) -> String? { terminalNameBySequence[input] }

    /// Linux evdev key codes (`linux/input-event-codes.h`) of the key names a keypad may send.
    public static let evdevCodes: [String: UInt16] = [
        "KEY_ESC": 1, "KEY_F1": 59, "KEY_F2": 60, "KEY_F3": 61, "KEY_F4": 62, "KEY_1": 2, "KEY_2": 3, "KEY_3": 4, "KEY_4": 5, "KEY_5": 6, "KEY_6": 7, "KEY_7": 8, "KEY_8": 9,
        "KEY_9": 10, "KEY_0": 11, "KEY_MINUS": 12, "KEY_EQUAL": 13, "KEY_BACKSPACE": 14, "KEY_TAB": 15, "KEY_ENTER": 28,
        "KEY_COMMA": 51, "KEY_DOT": 52, "KEY_SLASH": 53, "KEY_KPASTERISK": 55, "KEY_SPACE": 57, "KEY_NUMLOCK": 69,
        "KEY_KP7": 71, "KEY_KP8": 72, "KEY_KP9": 73, "KEY_KPMINUS": 74, "KEY_KP4": 75, "KEY_KP5": 76, "KEY_KP6": 77,
        "KEY_KPPLUS": 78, "KEY_KP1": 79, "KEY_KP2": 80, "KEY_KP3": 81, "KEY_KP0": 82, "KEY_KPDOT": 83,
        "KEY_KPENTER": 96, "KEY_KPSLASH": 98, "KEY_DELETE": 111, "KEY_KPEQUAL": 117, "KEY_KPCOMMA": 121,
    ]

    /// The evdev key name of a code (`79` → `KEY_KP1`), if it is one of `evdevCodes`.
    public static func evdevName(code: UInt16) -> String? { evdevNameByCode[code] }

    static let evdevNameByCode: [UInt16: String] = {
        var map: [UInt16: String] = [:]
        for (name, code) in evdevCodes { map[code] = name }
        return map
    }()

    // MARK: - Defaults (keep in step with Kiosk/keymap.conf; a test checks)

    public static let defaultTerminal = KeyMap(bindings: {
        var b: [String: Key] = [:]
        for d in 0...9 { b[String(d)] = .digit(d); b["kp-\(d)"] = .digit(d) }
        b["*"] = .star; b["+"] = .plus; b["-"] = .minus; b["/"] = .slash; b["."] = .dot
        b["kp-star"] = .star; b["kp-plus"] = .plus; b["kp-minus"] = .minus; b["kp-slash"] = .slash; b["kp-dot"] = .dot
        b["enter"] = .enter; b["kp-enter"] = .enter
        b["backspace"] = .backspace
        return b
    }())

    public static let defaultEvdev = KeyMap(bindings: {
        var b: [String: Key] = [:]
        for d in 0...9 { b["KEY_KP\(d)"] = .digit(d); b["KEY_\(d)"] = .digit(d) }
        b["KEY_KPASTERISK"] = .star; b["KEY_KPPLUS"] = .plus; b["KEY_KPMINUS"] = .minus
        b["KEY_KPSLASH"] = .slash; b["KEY_KPDOT"] = .dot
        b["KEY_KPENTER"] = .enter; b["KEY_ENTER"] = .enter
        b["KEY_BACKSPACE"] = .backspace
        return b
    }())

    // MARK: - Parsing

    /// One byte a terminal sends as itself (space to ~): what a one-character `[terminal]` input
    /// may be. Anything else reaches the console as several bytes or as a control code.
    static func isPrintableASCII(_ input: String) -> Bool {
        let scalars = Array(input.unicodeScalars)
        return scalars.count == 1 && (0x21...0x7E).contains(scalars[0].value)
    }

    /// Parses a key map file into its sections by name (`"terminal"`, `"evdev"`). Only sections
    /// present in the file are returned; use `defaultTerminal`/`defaultEvdev` for a missing one.
    /// Every problem is reported, as for `kiosk.conf`.
    public static func parse(_ text: String, file: String) -> Result<[String: KeyMap], ConfigurationErrors> {
        var errors: [ConfigurationError] = []
        func error(_ line: Int, _ message: String) { errors.append(ConfigurationError(file: file, line: line, message: message)) }
        let sections = ["terminal", "evdev"]
        var maps: [String: KeyMap] = [:]
        var current: String?
        var skipping = false
        var sectionLines: [String: Int] = [:]
        var inputLines: [String: Int] = [:]

        for line in ConfigurationLexer.lines(text) {
            let n = line.number
            switch line.content {
            case .section(let kind, let argument):
                inputLines = [:]
                skipping = true
                guard sections.contains(kind) else {
                    var message = "unknown section [\(Excerpt.of(kind))]"
                    if let s = ConfigurationLexer.suggestion(for: kind, among: sections) { message += " (did you mean [\(s)]?)" }
                    else { message += "; key maps have [terminal] and [evdev] sections" }
                    error(n, message)
                    continue
                }
                if let argument { error(n, "[\(Excerpt.of(kind))] takes no name, but has '\(Excerpt.of(argument))'; write just [\(Excerpt.of(kind))]") }
                if let first = sectionLines[kind] {
                    error(n, "duplicate section [\(Excerpt.of(kind))] (first on line \(first)); merge the two into one section")
                    continue
                }
                sectionLines[kind] = n
                maps[kind] = KeyMap(bindings: [:])
                current = kind
                skipping = false
            case .entry(let input, let value):
                guard let section = current else {
                    if !skipping { error(n, "'\(Excerpt.of(input))' is outside any section; put it below [terminal] or [evdev]") }
                    continue
                }
                if skipping { continue }
                if section == "terminal" {
                    if input.count == 1 && !isPrintableASCII(input) {
                        error(n, "'\(Excerpt.of(input))' in [terminal] is not a printable ASCII character; the console binds single ASCII characters and the key names (\(terminalNames.keys.sorted().joined(separator: ", "))), so bind one of those")
                        continue
                    }
                    if input.count != 1 && terminalNames[input] == nil {
                        var message = "'\(Excerpt.of(input))' in [terminal] is neither a single character nor a key name"
                        if let s = ConfigurationLexer.suggestion(for: input, among: terminalNames.keys.sorted()) {
                            message += " (did you mean '\(s)'?)"
                        } else {
                            message += "; use a character or one of \(terminalNames.keys.sorted().joined(separator: ", "))"
                        }
                        error(n, message)
                        continue
                    }
                } else if evdevCodes[input] == nil {
                    var message = "'\(Excerpt.of(input))' in [evdev] is not a known evdev key name"
                    if let s = ConfigurationLexer.suggestion(for: input, among: evdevCodes.keys.sorted()) {
                        message += " (did you mean '\(s)'?)"
                    } else {
                        message += "; use a name like KEY_KP1 (see `evtest` or linux/input-event-codes.h)"
                    }
                    error(n, message)
                    continue
                }
                if let first = inputLines[input] {
                    error(n, "'\(Excerpt.of(input))' is bound twice in [\(section)] (first on line \(first)); keep only one")
                    continue
                }
                inputLines[input] = n
                guard let key = Key(name: value) else {
                    var message = value.isEmpty ? "'\(Excerpt.of(input))' in [\(section)] has no key" : "'\(Excerpt.of(value))' is not a key"
                    if !value.isEmpty, let s = ConfigurationLexer.suggestion(for: value, among: ["enter", "backspace"]) {
                        message += " (did you mean '\(s)'?)"
                    }
                    message += "; use 0–9, *, +, -, /, ., enter or backspace"
                    error(n, message)
                    continue
                }
                maps[section]!.bindings[input] = key
            case .unclosedSection(let text):
                error(n, "section header '\(Excerpt.of(text))' has no closing ']'; write [terminal] or [evdev]")
                skipping = true
            case .missingKey(let text):
                error(n, "'\(Excerpt.of(text))' has no input before '='; write input = key (use the name equals for the '=' character)")
            case .other(let text):
                error(n, "'\(Excerpt.of(text))' is neither a [section] header nor input = key; fix the line or comment it out with #")
            }
        }
        // A USB keypad mapped without Enter could never confirm a choice or a PIN.
        if let line = sectionLines["evdev"], let map = maps["evdev"], !map.bindings.values.contains(.enter) {
            error(line, "[evdev] binds no key to enter, so a keypad could never confirm a choice or a PIN; bind the keypad's Enter key, e.g. KEY_KPENTER = enter")
        }
        let ordered = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        return errors.isEmpty ? .success(maps) : .failure(ConfigurationErrors(ordered))
    }

    /// Reads and parses the key map file at `path`: a missing or unreadable file, or a line that
    /// is not UTF-8 (a file saved as GB18030 by a Chinese editor), is an error naming it.
    public static func load(path: String) -> Result<[String: KeyMap], ConfigurationErrors> {
        ConfigurationLexer.read(path: path)
            .flatMap { ConfigurationLexer.decodeUTF8($0, file: path) }
            .flatMap { parse($0, file: path) }
    }
}
