/// What one station shows, already localised, independent of how it is drawn. The text console
/// renders it into a character grid; the framebuffer renderer will draw the same model.
public struct Screen: Equatable, Sendable {
    /// Top line: station name or welcome.
    public var title: String
    public var blocks: [Block]
    /// Bottom line: date and time, hints for keys.
    public var footer: String

    public init(title: String, blocks: [Block], footer: String) {
        self.title = title; self.blocks = blocks; self.footer = footer
    }
}

/// One vertical piece of a screen, top to bottom.
public enum Block: Equatable, Sendable {
    /// A section heading.
    case heading(String)
    /// A paragraph; wraps at the panel width.
    case text(String, Tone)
    /// The most important thing on the screen (a ticket number); drawn as large as possible.
    case banner(String, Tone)
    /// Columns of text; the first row is the header.
    case table([[String]])
    /// Answer keys shown side by side (the rating pad's four choices).
    case choices([Choice])
    /// An empty line.
    case spacer
}

/// Colour intent; the renderer maps it to colours it can show.
public enum Tone: String, Equatable, Sendable, CaseIterable {
    case normal, muted, accent, good, fair, warning, alert
}

public struct Choice: Equatable, Sendable {
    /// The key to press ("1").
    public var key: String
    public var label: String
    public var tone: Tone
    public init(key: String, label: String, tone: Tone) { self.key = key; self.label = label; self.tone = tone }
}
