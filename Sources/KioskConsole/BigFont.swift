/// A built-in 5-row block-letter font for banners (ticket numbers): 0–9, A–Z, "-", ".", ":", "#",
/// "→" (the board's "A012 → 2") and space. Each glyph is 5 pixels high; pixels are drawn as "█", optionally scaled.
public enum BigFont {
    public static let rows = 5
    /// Blank columns between glyphs (before scaling).
    public static let spacing = 1

    /// True when every character of `text` (upper-cased) has a glyph.
    public static func canRender(_ text: String) -> Bool {
        !text.isEmpty && text.uppercased().allSatisfy { glyphs[$0] != nil }
    }

    /// Width in columns of `text` drawn with horizontal scale `sx`.
    public static func width(of text: String, scaleX sx: Int = 1) -> Int {
        let chars = Array(text.uppercased())
        guard !chars.isEmpty else { return 0 }
        let pixels = chars.reduce(0) { $0 + (glyphs[$1]?.first?.count ?? 0) } + spacing * (chars.count - 1)
        return pixels * sx
    }

    /// The rows of `text` drawn with scales `sx` (columns per pixel) and `sy` (rows per pixel),
    /// or nil when a character has no glyph.
    public static func render(_ text: String, scaleX sx: Int = 1, scaleY sy: Int = 1) -> [String]? {
        let chars = Array(text.uppercased())
        guard canRender(text) else { return nil }
        var lines: [String] = []
        for r in 0..<rows {
            var line = ""
            for (i, ch) in chars.enumerated() {
                if i > 0 { line += String(repeating: " ", count: spacing * sx) }
                for px in glyphs[ch]![r] {
                    line += String(repeating: px == "#" ? "█" : " ", count: sx)
                }
            }
            for _ in 0..<sy { lines.append(line) }
        }
        return lines
    }

    private static let glyphs: [Character: [String]] = [
        "0": [" ### ", "#  ##", "# # #", "##  #", " ### "],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", " ### "],
        "2": [" ### ", "#   #", "  ## ", " #   ", "#####"],
        "3": ["#### ", "    #", " ### ", "    #", "#### "],
        "4": ["#  # ", "#  # ", "#####", "   # ", "   # "],
        "5": ["#####", "#    ", "#### ", "    #", "#### "],
        "6": [" ### ", "#    ", "#### ", "#   #", " ### "],
        "7": ["#####", "   # ", "  #  ", " #   ", " #   "],
        "8": [" ### ", "#   #", " ### ", "#   #", " ### "],
        "9": [" ### ", "#   #", " ####", "    #", " ### "],
        "A": [" ### ", "#   #", "#####", "#   #", "#   #"],
        "B": ["#### ", "#   #", "#### ", "#   #", "#### "],
        "C": [" ####", "#    ", "#    ", "#    ", " ####"],
        "D": ["#### ", "#   #", "#   #", "#   #", "#### "],
        "E": ["#####", "#    ", "#### ", "#    ", "#####"],
        "F": ["#####", "#    ", "#### ", "#    ", "#    "],
        "G": [" ####", "#    ", "#  ##", "#   #", " ### "],
        "H": ["#   #", "#   #", "#####", "#   #", "#   #"],
        "I": ["###", " # ", " # ", " # ", "###"],
        "J": ["  ###", "   # ", "   # ", "#  # ", " ##  "],
        "K": ["#   #", "#  # ", "###  ", "#  # ", "#   #"],
        "L": ["#    ", "#    ", "#    ", "#    ", "#####"],
        "M": ["#   #", "## ##", "# # #", "#   #", "#   #"],
        "N": ["#   #", "##  #", "# # #", "#  ##", "#   #"],
        "O": [" ### ", "#   #", "#   #", "#   #", " ### "],
        "P": ["#### ", "#   #", "#### ", "#    ", "#    "],
        "Q": [" ### ", "#   #", "# # #", "#  # ", " ## #"],
        "R": ["#### ", "#   #", "#### ", "#  # ", "#   #"],
        "S": [" ####", "#    ", " ### ", "    #", "#### "],
        "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  "],
        "U": ["#   #", "#   #", "#   #", "#   #", " ### "],
        "V": ["#   #", "#   #", "#   #", " # # ", "  #  "],
        "W": ["#   #", "#   #", "# # #", "## ##", "#   #"],
        "X": ["#   #", " # # ", "  #  ", " # # ", "#   #"],
        "Y": ["#   #", " # # ", "  #  ", "  #  ", "  #  "],
        "Z": ["#####", "   # ", "  #  ", " #   ", "#####"],
        "-": ["    ", "    ", "####", "    ", "    "],
        ".": ["  ", "  ", "  ", "  ", "##"],
        ":": ["  ", "##", "  ", "##", "  "],
        "#": [" # # ", "#####", " # # ", "#####", " # # "],
        "→": ["  #  ", "   # ", "#####", "   # ", "  #  "],
        " ": ["   ", "   ", "   ", "   ", "   "],
    ]
}
