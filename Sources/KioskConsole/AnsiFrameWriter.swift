import KioskCore

/// Turns successive canvases into the ANSI escape sequences that update a terminal, redrawing only
/// the cells that changed since the previous frame.
///
/// Output uses CUP (`ESC[row;colH`) to move, SGR (`ESC[…m`) for styles, and on the first frame,
/// after `invalidate()` or when the size changes, ED (`ESC[2J`) to clear and redraw everything.
/// Each non-empty frame starts by hiding the cursor and ends with SGR reset.
public struct AnsiFrameWriter: Sendable {
    public enum ColorMode: Sendable, Equatable {
        /// The 8 basic colours plus bright black (SGR 30–37, 90).
        case ansi16
        /// xterm 256-colour palette (SGR 38;5;n): orange for warnings, grey for muted text.
        case ansi256
        /// Bold and inverse only.
        case monochrome
    }

    public var colorMode: ColorMode
    public private(set) var previous: TextCanvas?
    /// Unchanged cells between two changed runs on a row are rewritten instead of moving the
    /// cursor when the gap is at most this long (a CUP costs about 6–8 bytes).
    public var mergeGap = 4

    public init(colorMode: ColorMode = .ansi256) {
        self.colorMode = colorMode
    }

    /// Forget the previous frame (after a resize or anything else that garbled the screen): the
    /// next frame clears the screen and draws everything.
    public mutating func invalidate() {
        previous = nil
    }

    /// The bytes that turn the previous frame into `canvas` (empty when nothing changed).
    public mutating func frame(_ canvas: TextCanvas) -> String {
        var out = ""
        var current: CellStyle? = nil
        if let prev = previous, prev.width == canvas.width, prev.height == canvas.height {
            for y in 0..<canvas.height {
                for run in changedRuns(row: y, old: prev, new: canvas) {
                    if out.isEmpty { out += "\u{1B}[?25l" }
                    out += "\u{1B}[\(y + 1);\(run.lowerBound + 1)H"
                    writeCells(canvas, row: y, columns: run, into: &out, current: &current)
                }
            }
        } else {
            out += "\u{1B}[?25l\u{1B}[0m\u{1B}[2J"
            current = .plain
            for y in 0..<canvas.height {
                // Skip trailing blank plain cells: the clear already made them.
                var end = canvas.width
                while end > 0, canvas[end - 1, y] == .blank { end -= 1 }
                guard end > 0 else { continue }
                out += "\u{1B}[\(y + 1);1H"
                writeCells(canvas, row: y, columns: 0..<end, into: &out, current: &current)
            }
            if canvas.height == 0 || out.hasSuffix("2J") { out += "\u{1B}[H" }
        }
        if current != nil && current != .plain { out += "\u{1B}[0m" }
        previous = canvas
        return out
    }

    /// Column ranges on `row` to rewrite: changed cells, widened so that they start and end on
    /// whole wide characters, merged across short unchanged gaps.
    func changedRuns(row y: Int, old: TextCanvas, new: TextCanvas) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var x = 0
        let w = new.width
        while x < w {
            if old[x, y] == new[x, y] { x += 1; continue }
            var start = x
            // Start on the head of a wide character (in the new frame).
            if new[start, y].isContinuation && start > 0 { start -= 1 }
            var end = x + 1
            while end < w {
                if old[end, y] != new[end, y] { end += 1; continue }
                // Look ahead for another change within the merge gap.
                var probe = end
                while probe < w && probe - end < mergeGap && old[probe, y] == new[probe, y] { probe += 1 }
                if probe < w && probe - end < mergeGap { end = probe + 1 } else { break }
            }
            // Finish a wide character whose continuation lies past the end.
            if end < w && new[end, y].isContinuation { end += 1 }
            if let last = runs.last, last.upperBound >= start {
                runs[runs.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                runs.append(start..<end)
            }
            x = end
        }
        return runs
    }

    private func writeCells(
        _ canvas: TextCanvas, row y: Int, columns: Range<Int>, into out: inout String, current: inout CellStyle?
    ) {
        var x = columns.lowerBound
        while x < columns.upperBound {
            let cell = canvas[x, y]
            if cell.isContinuation {
                // Only reachable at the very start of a run; a space keeps the cursor in step.
                if current != cell.style { out += sgr(cell.style); current = cell.style }
                out += " "
                x += 1
                continue
            }
            if current != cell.style { out += sgr(cell.style); current = cell.style }
            out.append(cell.character)
            x += cell.width
        }
    }

    /// The SGR sequence that sets exactly `style` (starting from a reset).
    public func sgr(_ style: CellStyle) -> String {
        var params = ["0"]
        if style.bold { params.append("1") }
        if style.inverse { params.append("7") }
        if let color = colorParameter(style.tone) { params.append(color) }
        return "\u{1B}[" + params.joined(separator: ";") + "m"
    }

    /// The SGR foreground parameter for a tone in the current colour mode (nil: default colour).
    public func colorParameter(_ tone: Tone) -> String? {
        switch colorMode {
        case .monochrome:
            return nil
        case .ansi16:
            switch tone {
            case .normal: return nil
            case .muted: return "90"
            case .accent: return "36"
            case .good: return "32"
            case .fair: return "33"
            case .warning: return "93"
            case .alert: return "31"
            }
        case .ansi256:
            switch tone {
            case .normal: return nil
            case .muted: return "38;5;245"
            case .accent: return "38;5;39"
            case .good: return "38;5;40"
            case .fair: return "38;5;220"
            case .warning: return "38;5;208"
            case .alert: return "38;5;196"
            }
        }
    }
}
