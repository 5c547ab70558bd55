/// How the picture is turned on the panel, clockwise, for kiosks whose panel is mounted on its
/// side (portrait). Applied in software when rectangles are flushed.
public enum Rotation: Int, Equatable, Sendable, CaseIterable {
    case none = 0, quarter = 90, half = 180, threeQuarters = 270

    /// The panel's lines are the picture's rows (unturned or upside down), not its columns.
    public var keepsRows: Bool { self == .none || self == .half }

    /// The size of the picture drawn for a panel of `panelWidth` × `panelHeight`.
    public func logicalSize(panelWidth: Int, panelHeight: Int) -> (width: Int, height: Int) {
        switch self {
        case .none, .half: return (panelWidth, panelHeight)
        case .quarter, .threeQuarters: return (panelHeight, panelWidth)
        }
    }

    /// The panel rectangle that a picture rectangle lands on.
    public func panelRect(_ r: PixelRect, panelWidth pw: Int, panelHeight ph: Int) -> PixelRect {
        switch self {
        case .none: return r
        case .half: return PixelRect(x: pw - r.maxX, y: ph - r.maxY, width: r.width, height: r.height)
        case .quarter: return PixelRect(x: pw - r.maxY, y: r.x, width: r.height, height: r.width)
        case .threeQuarters: return PixelRect(x: r.y, y: ph - r.maxX, width: r.height, height: r.width)
        }
    }
}
