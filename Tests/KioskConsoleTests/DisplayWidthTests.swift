import Testing

@testable import KioskConsole

@Suite struct DisplayWidthTests {
    @Test func ascii() {
        #expect(DisplayWidth.of("") == 0)
        #expect(DisplayWidth.of("A023") == 4)
        #expect(DisplayWidth.of("Hello, world!") == 13)
        #expect(DisplayWidth.of(Character("a")) == 1)
    }

    @Test func cjk() {
        // 6 wide characters (12 columns) + "A023", "2" and 4 spaces (9 columns).
        #expect(DisplayWidth.of("请 A023 号到 2 号窗口") == 21)
        #expect(DisplayWidth.of("请A023号到2号窗口") == 17)
        #expect(DisplayWidth.of("请 A023 号到 2号窗口") == 20)
        #expect(DisplayWidth.of("户籍办理") == 8)
        #expect(DisplayWidth.of(Character("号")) == 2)
        #expect(DisplayWidth.of("ひらがなカタカナ") == 16)
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.of("𠀀") == 2)  // CJK extension B
    }

    @Test func fullwidthAndCJKPunctuation() {
        #expect(DisplayWidth.of("，。！？") == 8)
        #expect(DisplayWidth.of("（Ａ）") == 6)  // fullwidth forms U+FF08, U+FF21
        #expect(DisplayWidth.of("「」、") == 6)  // CJK punctuation U+300C…
        #expect(DisplayWidth.of("\u{3000}") == 2)  // ideographic space
        #expect(DisplayWidth.of("￥￡") == 4)  // fullwidth signs U+FFE5, U+FFE1
        #expect(DisplayWidth.of("–…·") == 3)  // en dash, ellipsis, middle dot: narrow here
    }

    @Test func combiningAndZeroWidth() {
        #expect(DisplayWidth.of("e\u{301}") == 1)  // e + combining acute: one cluster
        #expect(DisplayWidth.of("Cafe\u{301}") == 4)
        #expect(DisplayWidth.of("\u{301}") == 0)  // lone combining mark
        #expect(DisplayWidth.of("a\u{200B}b") == 2)  // zero width space
        #expect(DisplayWidth.of("\u{FE0F}") == 0)
        #expect(DisplayWidth.of("\u{1B}\u{7}\t") == 0)  // controls
        #expect(DisplayWidth.of("\r\n") == 0)
        #expect(DisplayWidth.of("か\u{3099}") == 2)  // kana + combining voiced mark
    }

    @Test func emoji() {
        #expect(DisplayWidth.of("😀") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)  // skin tone modifier joins the cluster
        #expect(DisplayWidth.of("👩‍👩‍👧") == 2)  // ZWJ sequence
        #expect(DisplayWidth.of("❤️") == 2)  // text-default heart with emoji presentation selector
        #expect(DisplayWidth.of("❤") == 1)
        #expect(DisplayWidth.of("🇨🇳") == 2)  // flag
    }

    @Test func truncate() {
        #expect(DisplayWidth.truncate("A023", toWidth: 4) == "A023")
        #expect(DisplayWidth.truncate("A0234", toWidth: 4) == "A02…")
        #expect(DisplayWidth.truncate("户籍办理", toWidth: 8) == "户籍办理")
        #expect(DisplayWidth.truncate("户籍办理", toWidth: 7) == "户籍办…")
        #expect(DisplayWidth.truncate("户籍办理", toWidth: 6) == "户籍…")
        #expect(DisplayWidth.truncate("户籍办理", toWidth: 1) == "…")
        #expect(DisplayWidth.truncate("户籍办理", toWidth: 0) == "")
    }

    static let samples = [
        "请 A023 号到 2 号窗口办理业务，谢谢您的耐心等待。",
        "Please keep your ticket; counter 2 will call you shortly. Thank you for waiting!",
        "Supercalifragilisticexpialidocious words must be split somewhere",
        "混合 mixed 文本 text，含「引号」和（括号）以及 emoji 😀👍🏽 e\u{301}",
        "   leading and  double  spaces   ",
        "第一行\n第二行 second line\n\nafter blank",
        "一二三四五六七八九十",
    ]

    @Test(arguments: 1...40) func wrapAndTruncateNeverExceedWidth(width: Int) {
        for s in Self.samples {
            let lines = DisplayWidth.wrap(s, width: width)
            for line in lines {
                #expect(DisplayWidth.of(line) <= width, "\(line.debugDescription) wider than \(width)")
            }
            #expect(DisplayWidth.of(DisplayWidth.truncate(s, toWidth: width)) <= width)
            // Nothing but spaces (and characters wider than the line) is lost.
            if width >= 2 {
                let kept = lines.joined().filter { $0 != " " && $0 != "\n" }
                let original = s.filter { $0 != " " && $0 != "\n" }
                #expect(kept == original, "width \(width): \(lines)")
            }
        }
    }

    @Test func wrapsLatinAtSpaces() {
        #expect(DisplayWidth.wrap("the quick brown fox jumps", width: 10) == ["the quick", "brown fox", "jumps"])
        #expect(DisplayWidth.wrap("abcdefghijkl", width: 5) == ["abcde", "fghij", "kl"])
        #expect(DisplayWidth.wrap("", width: 5) == [""])
        #expect(DisplayWidth.wrap("a\nb", width: 5) == ["a", "b"])
    }

    @Test func wrapsCJKAnywhereButKeepsPunctuation() {
        #expect(DisplayWidth.wrap("一二三四五六七", width: 6) == ["一二三", "四五六", "七"])
        #expect(DisplayWidth.wrap("一二三四五六七", width: 7) == ["一二三", "四五六", "七"])
        // "。" never starts a line: it goes down with the character before it.
        #expect(DisplayWidth.wrap("一二三。四五", width: 6) == ["一二", "三。四", "五"])
        // Latin words inside CJK text stay whole when they fit.
        #expect(DisplayWidth.wrap("请 A023 号到 2 号窗口", width: 8) == ["请 A023", "号到 2", "号窗口"])
    }
}
