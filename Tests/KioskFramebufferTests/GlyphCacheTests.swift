import Foundation
@testable import KioskFramebuffer
import Testing

/// The glyph cache file (`FontSet.loadGlyphCache`): a start that reads it draws with exactly the
/// glyphs, advances and metrics FreeType gave the start that wrote it, renders nothing it holds,
/// and a damaged or truncated file is refused whole (never a wrong glyph).
@Suite("Glyph cache file")
struct GlyphCacheTests {
    static let text = Array("取号 0123456789 A023 → 3 号窗口，请稍候。Wait 5–10 min".unicodeScalars)
    static let sizes = [18, 24, 40, 96]

    static func fonts() throws -> FontSet { try FontSet(preferred: FontSource(path: GoldenScreenTests.fontPath)) }

    /// Everything the cache keeps, for `fonts`, as comparable values.
    static func snapshot(_ fonts: FontSet) -> [[Int]] {
        sizes.flatMap { size in
            [[fonts.metrics(size: size).ascender, fonts.metrics(size: size).lineHeight]] + text.map { scalar in
                let g = fonts.glyph(scalar, size: size)
                return [fonts.advance(scalar, size: size), g.width, g.height, g.left, g.top, g.advance] + g.alpha.map(Int.init)
            }
        }
    }

    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("glyph-cache-test-\(UUID().uuidString).cache").path
    }

    @Test func aCachedStartDrawsTheSameGlyphsAndRendersNone() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Self.fonts()
        #expect(!first.loadGlyphCache(path: path), "no file yet")
        let rendered = Self.snapshot(first)
        try first.saveGlyphCache(path: path)

        let second = try Self.fonts()
        #expect(second.loadGlyphCache(path: path))
        let cachedCount = second.cachedGlyphCount
        #expect(Self.snapshot(second) == rendered)
        #expect(second.cachedGlyphCount == cachedCount, "every glyph came from the file")
        // A measured-only character (advance, no bitmap) is kept too.
        _ = first.advance("漢", size: 30)
        try first.saveGlyphCache(path: path)
        let third = try Self.fonts()
        #expect(third.loadGlyphCache(path: path))
        #expect(third.advance("漢", size: 30) == first.advance("漢", size: 30))
    }

    /// A set made from its cache file (`FontSet.cached`, as kioskd's FontLibrary and a start
    /// make them) starts no FreeType and opens no font file until it needs a glyph the file lacks.
    @Test func aSetMadeFromItsCacheOpensTheFontsOnlyForWhatTheFileLacks() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = FontSource(path: GoldenScreenTests.fontPath)
        let first = try Self.fonts()
        let rendered = Self.snapshot(first)
        try first.saveGlyphCache(path: path)

        let cached = try FontSet.cached(preferred: source) { _ in path }
        #expect(cached.library == nil && cached.sources == first.sources)
        #expect(Self.snapshot(cached) == rendered)
        #expect(cached.library == nil, "every glyph, advance and metric came from the file")
        #expect(cached.glyph("漢", size: 30).alpha == first.glyph("漢", size: 30).alpha)
        #expect(cached.library != nil, "a glyph the file lacks opened the fonts")
        #expect(cached.sources == first.sources)

        // A file whose stamp names other fonts (here: without the fallbacks) is not trusted.
        let other = try FontSet.cached(preferred: source, fallbacks: []) { _ in path }
        #expect(other.library != nil && other.sources == [source])
        let none = try FontSet.cached(preferred: source) { _ in nil }
        #expect(none.library != nil, "no cache file: opened at once, as init does")
    }

    @Test func aDamagedOrTruncatedFileIsRefusedWhole() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fonts = try Self.fonts()
        _ = Self.snapshot(fonts)
        try fonts.saveGlyphCache(path: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        var damaged = good
        damaged[damaged.count / 2] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: path))
        #expect(!(try Self.fonts()).loadGlyphCache(path: path), "one bit flipped")
        try good.prefix(good.count - 100).write(to: URL(fileURLWithPath: path))
        #expect(!(try Self.fonts()).loadGlyphCache(path: path), "truncated")
        try good.write(to: URL(fileURLWithPath: path))
        let reloaded = try Self.fonts()
        #expect(reloaded.loadGlyphCache(path: path))
        #expect(Self.snapshot(reloaded) == Self.snapshot(fonts))
    }

    @Test func theStampNamesTheFontFilesAndFreeType() throws {
        let stamp = try Self.fonts().glyphCacheStamp
        #expect(stamp.contains(GoldenScreenTests.fontPath))
        #expect(stamp.contains("freetype 2."))
    }
}
