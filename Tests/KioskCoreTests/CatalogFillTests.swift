@testable import KioskCore
import Testing

/// `{name}` placeholders filled in one pass, as every station's text is.
@Suite("Catalog placeholders")
struct CatalogFillTests {
    @Test func fillsEveryNamedPlaceholderWhereverItIs() {
        #expect(Catalog.fill("请 {ticket} 到 {counter} 号窗口，{ticket}", ["ticket": "A012", "counter": "3"])
                == "请 A012 到 3 号窗口，A012")
        #expect(Catalog.fill("{a}{b}", ["a": "1", "b": "2"]) == "12")
        #expect(Catalog.fill("{a}", ["a": ""]) == "")
    }

    @Test func leavesUnnamedAndUnclosedBracesAsWritten() {
        #expect(Catalog.fill("{x} {a} {", ["a": "1"]) == "{x} 1 {")
        #expect(Catalog.fill("{{a}}", ["a": "1"]) == "{1}")
        #expect(Catalog.fill("a}b{", ["a": "1"]) == "a}b{")
        #expect(Catalog.fill("{a}", [:]) == "{a}")
    }

    /// A value (a resident's name, a note) is text, not a template: nothing in it is replaced.
    @Test func neverFillsPlaceholdersInsideAValue() {
        #expect(Catalog.fill("{name}: {note}", ["name": "{note}", "note": "{name}"]) == "{note}: {name}")
    }

    @Test func keepsCharactersAroundPlaceholdersWhole() {
        #expect(Catalog.fill("🇨🇳{a}é\u{301}", ["a": "👍🏽"]) == "🇨🇳👍🏽é\u{301}")
    }
}
