import KioskCore
import KioskTestSupport
import Testing

@testable import KioskConsole

/// Every wide character's head is followed by its continuation, and no continuation is orphaned.
func wideCharactersAreWhole(_ canvas: TextCanvas) -> Bool {
    for y in 0..<canvas.height {
        for x in 0..<canvas.width {
            let cell = canvas[x, y]
            if cell.isContinuation {
                if x == 0 || canvas[x - 1, y].width != 2 { return false }
            } else if cell.width == 2 {
                if x + 1 >= canvas.width || !canvas[x + 1, y].isContinuation { return false }
            }
        }
    }
    return true
}

@Suite struct TextCanvasTests {
    @Test func putsAsciiAndWideCharacters() {
        var c = TextCanvas(width: 12, height: 2)
        let written = c.put("号A窗口", x: 1, y: 0)
        #expect(written == 7)
        #expect(c.plainLines() == [" 号A窗口", ""])
        #expect(c[1, 0].character == "号")
        #expect(c[2, 0].isContinuation)
        #expect(c[3, 0].character == "A")
        #expect(wideCharactersAreWhole(c))
    }

    @Test func neverSplitsAWideCharacterAtTheRightEdge() {
        var c = TextCanvas(width: 5, height: 1)
        c.put("一二三", x: 0, y: 0)
        #expect(c.plainLines() == ["一二"])
        #expect(c[4, 0] == Cell(" "))
        #expect(wideCharactersAreWhole(c))

        var d = TextCanvas(width: 10, height: 1)
        d.put("一二三", x: 0, y: 0, maxWidth: 5)
        #expect(d.plainLines() == ["一二"])
        #expect(d[5, 0] == .blank)  // beyond maxWidth: untouched
        #expect(wideCharactersAreWhole(d))
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var c = TextCanvas(width: 6, height: 1)
        c.put("一二三", x: 0, y: 0)
        c.put("x", x: 1, y: 0)  // right half of 一
        #expect(c.plainLines() == [" x二三"])
        c.put("y", x: 2, y: 0)  // left half of 二
        #expect(c.plainLines() == [" xy 三"])
        c.put("中", x: 3, y: 0)  // straddles 二's continuation and 三's head
        #expect(c.plainLines() == [" xy中"])
        #expect(wideCharactersAreWhole(c))
    }

    @Test func clipsToTheCanvas() {
        var c = TextCanvas(width: 4, height: 1)
        c.put("abcdef", x: -2, y: 0)
        #expect(c.plainLines() == ["cdef"])
        c.put("一二", x: -1, y: 0)  // 一 straddles column 0
        #expect(c.plainLines() == [" 二f"])
        c.put("zz", x: 0, y: 5)  // off the canvas: ignored
        c.put("zz", x: 9, y: 0)
        #expect(c.plainLines() == [" 二f"])
        #expect(wideCharactersAreWhole(c))
    }

    @Test func randomPutsKeepWideCharactersWhole() {
        var rng = SplitMix64(seed: 7)
        let pieces = ["号", "A023", "窗口", "x", "😀", "é", "，", "ab中cd"]
        for _ in 0..<200 {
            var c = TextCanvas(width: Int(rng.next() % 12) + 1, height: 2)
            for _ in 0..<10 {
                let text = (0..<3).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
                let x = Int(rng.next() % 16) - 3
                let maxWidth: Int? = rng.next() % 2 == 0 ? nil : Int(rng.next() % 8)
                c.put(text, x: x, y: Int(rng.next() % 2), maxWidth: maxWidth)
                #expect(wideCharactersAreWhole(c))
            }
            for line in c.plainLines() { #expect(DisplayWidth.of(line) <= c.width) }
        }
    }
}

