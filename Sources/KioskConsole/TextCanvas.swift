import KioskCore

/// A rectangle of cells on a canvas: column `x`, row `y`, both from 0.
public struct Rect: Equatable, Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The rectangle shrunk by `dx` columns on each side and `dy` rows at top and bottom.
    public func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }
}

/// How a cell is drawn: colour intent, bold, inverse video.
public struct CellStyle: Equatable, Hashable, Sendable {
    public var tone: Tone
    public var bold: Bool
    public var inverse: Bool

    public init(tone: Tone = .normal, bold: Bool = false, inverse: Bool = false) {
        self.tone = tone; self.bold = bold; self.inverse = inverse
    }

    public static let plain = CellStyle()
    public static func tone(_ t: Tone, bold: Bool = false) -> CellStyle { CellStyle(tone: t, bold: bold) }
}

/// One character cell. A wide character is stored in its first cell; the cell to its right is a
/// continuation cell (`isContinuation`, character " ") carrying the same style.
public struct Cell: Equatable, Hashable, Sendable {
    public var character: Character
    public var style: CellStyle
    public var isContinuation: Bool

    public init(_ character: Character = " ", style: CellStyle = .plain, isContinuation: Bool = false) {
        self.character = character; self.style = style; self.isContinuation = isContinuation
    }

    public static let blank = Cell()

    /// Columns this cell's character takes (2 for a wide character, 0 for a continuation).
    public var width: Int { isContinuation ? 0 : (DisplayWidth.of(character) == 2 ? 2 : 1) }
}

/// A width × height grid of styled character cells that knows about wide characters: a wide
/// character always occupies two adjacent cells on one row and is never split.
public struct TextCanvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Writes `text` from column `x` on row `y`, clipped to the canvas and to `maxWidth` columns
    /// (when given). Zero-width characters (controls) are skipped; a wide character that would
    /// cross the clip edge is replaced by a space. Overwriting half of an existing wide character
    /// blanks its other half. Returns the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var col = x
        for c in text {
            if col >= limit { break }
            var w = DisplayWidth.of(c)
            if w == 0 { continue }
            w = min(w, 2)
            if col < 0 {
                // Left of the canvas: a wide char straddling column 0 shows as a space.
                if col + w > 0 { setCell(0, y, Cell(" ", style: style)) }
                col += w
                continue
            }
            if w == 2 && col + 1 >= limit {
                setCell(col, y, Cell(" ", style: style))
                col += 1
                break
            }
            setCell(col, y, Cell(c, style: style))
            if w == 2 { setCell(col + 1, y, Cell(" ", style: style, isContinuation: true)) }
            col += w
        }
        return max(0, col - max(x, 0))
    }

    /// Fills a rectangle (clipped) with one narrow character.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: CellStyle = .plain) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let ch: Character = DisplayWidth.of(character) == 1 ? character : " "
        for row in r.y..<r.maxY {
            for col in r.x..<r.maxX { setCell(col, row, Cell(ch, style: style)) }
        }
    }

    /// Changes the style of existing cells in a rectangle, keeping their characters.
    public mutating func restyle(_ rect: Rect, _ transform: (inout CellStyle) -> Void) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for row in r.y..<r.maxY {
            for col in r.x..<r.maxX { transform(&cells[row * width + col].style) }
        }
    }

    /// Copies another canvas onto this one with its top-left corner at (`x`, `y`).
    public mutating func blit(_ other: TextCanvas, x: Int, y: Int) {
        for row in 0..<other.height {
            for col in 0..<other.width {
                let cell = other[col, row]
                if cell.isContinuation { continue }
                if cell.width == 2 {
                    if x + col + 1 < width {
                        setCell(x + col, y + row, cell)
                        setCell(x + col + 1, y + row, Cell(" ", style: cell.style, isContinuation: true))
                    } else {
                        setCell(x + col, y + row, Cell(" ", style: cell.style))
                    }
                } else {
                    setCell(x + col, y + row, cell)
                }
            }
        }
    }

    /// Each row as text: wide characters once, continuation cells skipped, trailing spaces trimmed.
    public func plainLines() -> [String] {
        (0..<height).map { row in
            var line = ""
            for col in 0..<width {
                let cell = cells[row * width + col]
                if cell.isContinuation { continue }
                line.append(cell.character)
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// Sets one cell, keeping wide characters whole: writing over either half of a wide character
    /// turns its other half into a space.
    private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        let old = cells[i]
        if old.isContinuation, !cell.isContinuation, x > 0 {
            // Breaking the right half of a wide character: blank its left half.
            cells[i - 1] = Cell(" ", style: cells[i - 1].style)
        }
        if old.width == 2, x + 1 < width, cells[i + 1].isContinuation {
            // Breaking the left half: blank the orphaned continuation (it may be rewritten next).
            cells[i + 1] = Cell(" ", style: cells[i + 1].style)
        }
        cells[i] = cell
    }
}
