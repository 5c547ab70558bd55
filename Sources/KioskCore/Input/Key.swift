/// A key as the core understands it, whatever device produced it. Key maps in `Kiosk/keymap.conf`
/// translate terminal characters and evdev key codes into these.
public enum Key: Equatable, Hashable, Sendable {
    case digit(Int)
    case star, plus, minus, slash, dot, enter, backspace

    /// The name used in key maps and logs: "0"…"9", "*", "+", "-", "/", ".", "enter", "backspace".
    public var name: String {
        switch self {
        case .digit(let d): return String(d)
        case .star: return "*"
        case .plus: return "+"
        case .minus: return "-"
        case .slash: return "/"
        case .dot: return "."
        case .enter: return "enter"
        case .backspace: return "backspace"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "*", "star": self = .star
        case "+", "plus": self = .plus
        case "-", "minus": self = .minus
        case "/", "slash": self = .slash
        case ".", "dot": self = .dot
        case "enter": self = .enter
        case "backspace": self = .backspace
        default:
            guard name.count == 1, let d = Int(name) else { return nil }
            self = .digit(d)
        }
    }
}
