import KioskCore
import Testing

@testable import KioskConsole

@Suite struct TerminalKeyDecoderTests {
    func decode(_ chunks: [[UInt8]]) -> [TerminalInput] {
        var d = TerminalKeyDecoder()
        return chunks.flatMap { d.feed($0) }
    }

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func mainKeys() {
        #expect(
            decode([bytes("0123456789*+-/.")])
                == (0...9).map { .key(.digit($0)) } + [
                    .key(.star), .key(.plus), .key(.minus), .key(.slash), .key(.dot),
                ])
        #expect(decode([[0x0A], [0x0D], [0x7F], [0x08]]) == [.key(.enter), .key(.enter), .key(.backspace), .key(.backspace)])
        #expect(decode([[0x0D, 0x0D]]) == [.key(.enter), .key(.enter)])
        #expect(decode([[0x0D, 0x0A]]) == [.key(.enter)])  // CR LF is one Enter
        #expect(decode([[0x0D], [0x0A]]) == [.key(.enter)])  // …even split
        #expect(decode([[0x09], bytes("\u{1B}[Z")]) == [.tab, .backTab])
        #expect(decode([[0x03], [0x04]]) == [.interrupt, .interrupt])
        #expect(decode([bytes("q")]) == [.other])  // 'q' is not quit
        #expect(decode([bytes("号")]) == [.other])  // one multi-byte character, one event
    }

    @Test func keypadApplicationMode() {
        let seq = "\u{1B}Op\u{1B}Oq\u{1B}Oy\u{1B}Ok\u{1B}Om\u{1B}Oj\u{1B}Oo\u{1B}OM\u{1B}On"
        #expect(
            decode([bytes(seq)]) == [
                .key(.digit(0)), .key(.digit(1)), .key(.digit(9)), .key(.plus), .key(.minus), .key(.star),
                .key(.slash), .key(.enter), .key(.dot),
            ])
    }

    @Test func ignoresOtherEscapeSequences() {
        // Arrows (normal and application mode), F1, F5, Delete, modified arrow, OSC reply.
        let noise = "\u{1B}[A\u{1B}OB\u{1B}OP\u{1B}[15~\u{1B}[3~\u{1B}[1;5C\u{1B}]11;rgb:0/0/0\u{7}"
        #expect(decode([bytes(noise + "7")]) == [.key(.digit(7))])
    }

    @Test func splitSequencesAcrossFeeds() {
        let stream = bytes("1\u{1B}[A2\u{1B}Ow\u{1B}[1;5D\u{1B}[Z\u{1B}OM3")
        let expected: [TerminalInput] = [.key(.digit(1)), .key(.digit(2)), .key(.digit(7)), .backTab, .key(.enter), .key(.digit(3))]
        #expect(decode([stream]) == expected)
        // Every split point, and byte by byte.
        for cut in 0...stream.count {
            #expect(decode([Array(stream[..<cut]), Array(stream[cut...])]) == expected, "cut at \(cut)")
        }
        #expect(decode(stream.map { [$0] }) == expected)
    }

    @Test func loneEscapeNeedsFlush() {
        var d = TerminalKeyDecoder()
        #expect(d.feed([0x1B]) == [])
        #expect(d.isPending)
        #expect(d.flush() == [.other])
        #expect(d.feed(bytes("5")) == [.key(.digit(5))])
    }

    @Test func customKeyMap() {
        var d = TerminalKeyDecoder(keyMap: ["e": .enter, "b": .backspace])
        #expect(d.feed(bytes("eb1x")) == [.key(.enter), .key(.backspace), .key(.digit(1)), .other])
    }
}
