import KioskCore

/// Colours of the framebuffer screens: light text on a dark blue ground (high contrast in a
/// bright lobby), the ticket number in amber, and the rating choices in the traffic-light order
/// residents know from satisfaction pads (dark green, light green, orange, red, left to right).
public struct Theme: Sendable {
    public var background = Color(0x0E1A2B)
    public var titleBar = Color(0x1F4E8C)
    public var titleText = Color(0xFFFFFF)
    public var footerBar = Color(0x08111D)
    public var footerText = Color(0xC8D2DC)
    public var heading = Color(0x9CCBFF)
    public var headingRule = Color(0x2F5F9A)
    public var bannerPanel = Color(0x15273F)
    public var tableStripe = Color(0x14253B)
    public var tableHeader = Color(0xAEBBC8)

    public init() {}

    public func text(_ tone: Tone) -> Color {
        switch tone {
        case .normal: return Color(0xFFFFFF)
        case .muted: return Color(0xAEBBC8)
        case .accent: return Color(0xFFD23F)
        case .good: return Color(0x5BD17A)
        case .fair: return Color(0xB5E07A)
        case .warning: return Color(0xFFA23A)
        case .alert: return Color(0xFF6B6B)
        }
    }

    /// Tile colour and the text colour on it for a rating choice.
    public func choice(_ tone: Tone) -> (tile: Color, text: Color) {
        switch tone {
        case .good: return (Color(0x1B8A3A), Color(0xFFFFFF))
        case .fair: return (Color(0x8CC63F), Color(0x0B1A0B))
        case .warning: return (Color(0xF39C33), Color(0x1A0F00))
        case .alert: return (Color(0xD32F2F), Color(0xFFFFFF))
        case .accent: return (Color(0xFFD23F), Color(0x101010))
        case .normal, .muted: return (Color(0x2B3F5C), Color(0xFFFFFF))
        }
    }
}
