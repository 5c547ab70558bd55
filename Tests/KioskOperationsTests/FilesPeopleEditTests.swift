import Foundation
@testable import KioskCore
import KioskKeypad
import KioskRuntime
import Testing

/// Issue 13, "Files people edit": mistakes in the files an operator edits (catalogs, key map,
/// kiosk.conf, evemu recordings) are refused by `kioskd --check-config` with the file and line of
/// the mistake and what to do, on real files in a copy of the shipped assets.
@Suite("Files people edit")
struct FilesPeopleEditTests {
    /// A copy of the shipped `Kiosk/` folder (catalogs, key map, kiosk.conf) to damage.
    struct Site {
        let assets: String
        var config: String { assets + "/kiosk.conf" }
        var messages: String { assets + "/messages" }

        init() throws {
            assets = makeTemporaryFolder("files") + "/Kiosk"
            try FileManager.default.copyItem(atPath: assetsFolder, toPath: assets)
        }

        /// Replaces the first line of `file` that starts with `prefix` by `line`; returns its number.
        @discardableResult
        func replaceLine(in file: String, startingWith prefix: String, by line: String) throws -> Int {
            var lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
            let index = try #require(lines.firstIndex { $0.hasPrefix(prefix) }, "no line starting with \(prefix) in \(file)")
            lines[index] = line
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            return index + 1
        }

        func check() -> (report: String, status: Int32) { DaemonCommand.checkConfiguration(path: config, assets: assets) }
    }

    @Test func theShippedFilesPass() throws {
        let site = try Site()
        let (report, status) = site.check()
        #expect(status == 0, "\(report)")
        #expect(report.contains("ok: \(site.config)"))
    }

    @Test func aPlaceholderTypoInACatalogIsRefusedWithItsLineAndTheAllowedNames() throws {
        let site = try Site()
        let file = site.messages + "/zh-Hans.catalog"
        let line = try site.replaceLine(in: file, startingWith: "lobby.call =", by: "lobby.call = 请 {tickett} 号到 {counter} 号窗口")
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(file):\(line): unknown placeholder {tickett} in 'lobby.call' (did you mean {ticket}?); this message is given {counter}, {ticket}\n")
    }

    @Test func aPlaceholderInAMessageThatIsGivenNoneIsRefused() throws {
        let site = try Site()
        let file = site.messages + "/en.catalog"
        let line = try site.replaceLine(in: file, startingWith: "lobby.welcome =", by: "lobby.welcome = Welcome to {site}")
        let (report, _) = site.check()
        #expect(report == "\(file):\(line): unknown placeholder {site} in 'lobby.welcome'; this message is given no placeholders, remove the braces\n")
    }

    @Test func aKeyMapWithoutEnterInEvdevIsRefusedOnItsSectionLine() throws {
        let site = try Site()
        let file = site.assets + "/keymap.conf"
        var lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        lines.removeAll { $0.range(of: #"^KEY_(KP)?ENTER\s*="#, options: .regularExpression) != nil }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let section = try #require(lines.firstIndex(of: "[evdev]")) + 1
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(file):\(section): [evdev] binds no key to enter, so a keypad could never confirm a choice or a PIN; bind the keypad's Enter key, e.g. KEY_KPENTER = enter\n")
    }

    @Test func aKeyMapSavedAsGB18030IsRefusedWithTheLine() throws {
        let site = try Site()
        let file = site.assets + "/keymap.conf"
        // "# 小键盘" in GB18030: what a Chinese Windows editor writes when told "ANSI".
        let text = "[terminal]\n1 = 1\n".utf8 + [0x23, 0x20, 0xD0, 0xA1, 0xBC, 0xFC, 0xC5, 0xCC, 0x0A] + "enter = enter\n".utf8
        try Data(text).write(to: URL(fileURLWithPath: file))
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(file):3: this line is not valid UTF-8; save the file as UTF-8 (not GBK, GB18030 or another encoding)\n")
    }

    @Test func oneBadByteInACatalogNamesTheFileAndLine() throws {
        let site = try Site()
        let file = site.messages + "/zh-Hans.catalog"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let target = 40  // a line with Chinese text
        let offset = lines[..<(target - 1)].reduce(0) { $0 + $1.count + 1 } + lines[target - 1].count - 2
        bytes[offset] = 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(file):\(target): this line is not valid UTF-8; save the file as UTF-8 (not GBK, GB18030 or another encoding)\n")
    }

    @Test func aReasonsTypoInKioskConfIsBlamedOnKioskConfNotTheCatalogs() throws {
        let site = try Site()
        let line = try site.replaceLine(in: site.config, startingWith: "reasons =", by: "reasons = reason.wiat, reason.attitude")
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report.hasPrefix("\(site.config):\(line): reasons in [kiosk] names 'reason.wiat', which zh-Hans.catalog and en.catalog in \(site.messages) do not have (did you mean 'reason.wait'?); use one of reason."))
        #expect(report.hasSuffix(", or add 'reason.wiat' to every catalog\n"))
        #expect(!report.contains(".catalog:"))
    }

    @Test func aFestivalTypoInKioskConfIsBlamedOnItsLine() throws {
        let site = try Site()
        let line = try site.replaceLine(in: site.config, startingWith: "01-01 =", by: "01-01 = festival.new-yaer")
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report.hasPrefix("\(site.config):\(line): [festival] names 'festival.new-yaer', which zh-Hans.catalog and en.catalog in \(site.messages) do not have (did you mean 'festival.new-year'?)"))
    }

    @Test func aMissingEvemuRecordingFailsTheCheckOnItsKeypadLine() throws {
        let site = try Site()
        let missing = site.assets + "/lobby.evemu"
        var text = try String(contentsOfFile: site.config, encoding: .utf8)
        text += "\n[station pad]\nrole = lobby\nkeypad = evemu:\(missing)\n"
        try text.write(toFile: site.config, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").count - 1
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(site.config):\(line): [station pad]: evemu recording \(missing) does not exist; record one with evemu-record, or fix keypad = evemu:PATH in kiosk.conf\n")
    }

    @Test func aCRLFRecordingStartingWithACommentPlaysAndOneWithoutEventsIsRefused() throws {
        let site = try Site()
        let recording = site.assets + "/lobby.evemu"
        let lf = EvemuRecording.format([
            InputEvent(time: 1, type: InputEvent.key, code: 79, value: 1), InputEvent(time: 1, type: 0, code: 0, value: 0),
            InputEvent(time: 1.1, type: InputEvent.key, code: 79, value: 0), InputEvent(time: 1.1, type: 0, code: 0, value: 0),
        ])
        #expect(lf.hasPrefix("#"))
        try lf.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: recording, atomically: true, encoding: .utf8)
        let loaded = try EvemuRecording.load(path: recording)
        #expect(loaded.events.count == 4)
        #expect(loaded.problems.isEmpty)
        #expect(loaded.deviceName == "kiosk keypad")

        var text = try String(contentsOfFile: site.config, encoding: .utf8)
        text += "\n[station pad]\nrole = lobby\nkeypad = evemu:\(recording)\n"
        try text.write(toFile: site.config, atomically: true, encoding: .utf8)
        #expect(site.check().status == 0, "\(site.check().report)")

        try "# EVEMU 1.3\r\nN: kiosk keypad\r\nnot an event\r\n".write(toFile: recording, atomically: true, encoding: .utf8)
        let (report, status) = site.check()
        #expect(status == 1)
        let line = text.components(separatedBy: "\n").count - 1
        #expect(report == "\(site.config):\(line): [station pad]: evemu recording \(recording) has no events (no E: lines; 1 line could not be read, first line 3: 'not an event' is not an evemu line (E: sec.usec type code value)); record the keypad with evemu-record, or fix keypad = evemu:PATH in kiosk.conf\n")
    }

    @Test func aHugeLineIsEchoedCut() throws {
        let site = try Site()
        let huge = String(repeating: "x", count: 1_460_000)
        let line = try site.replaceLine(in: site.config, startingWith: "reasons =", by: huge)
        let (report, status) = site.check()
        #expect(status == 1)
        #expect(report == "\(site.config):\(line): '\(String(repeating: "x", count: 80))… (1460000 bytes in all)' is neither a [section] header nor key = value; fix the line or comment it out with #\n")

        let catalog = site.messages + "/en.catalog"
        let catalogLine = try site.replaceLine(in: catalog, startingWith: "lobby.welcome =", by: huge)
        let catalogErrors = CatalogParser.loadAll(directory: site.messages)
        #expect(catalogErrors.failure?.description == "\(catalog):\(catalogLine): expected 'key = text', found '\(String(repeating: "x", count: 80))… (1460000 bytes in all)'; write key = text, or comment the line out with #")

        let recording = EvemuRecording.parse("E: " + huge + " 0001 004f 1\n")
        #expect(recording.problems.map(\.description) == ["line 1: bad time '\(String(repeating: "x", count: 40))… (1460000 bytes in all)'; expected seconds.microseconds"])
    }

    @Test func anEnormousUnknownKeyIsRefusedQuickly() {
        // 140 KB: the "did you mean" edit distance once made this take 15 s in a debug build.
        let key = String(repeating: "k", count: 140_000)
        let started = ContinuousClock.now
        let result = ConfigurationParser.parse("[kiosk]\n\(key) = 1\n", file: "kiosk.conf")
        let elapsed = ContinuousClock.now - started
        guard case .failure(let errors) = result else { Issue.record("accepted"); return }
        #expect(errors.description.hasPrefix("kiosk.conf:2: unknown key '\(String(repeating: "k", count: 80))… (140000 bytes in all)' in [kiosk]; valid keys are id, site, "))
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }
}

extension FilesPeopleEditTests {
    @Test func catalogsWithCRLFLineEndsAreReadLineByLine() throws {
        let site = try Site()
        for language in ["zh-Hans", "en"] {
            let file = site.messages + "/\(language).catalog"
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: file, atomically: true, encoding: .utf8)
        }
        let (report, status) = site.check()
        #expect(status == 0, "\(report)")
        let catalogs = try CatalogParser.loadAll(directory: site.messages).get()
        #expect(catalogs[.chinese].text("lobby.call", ["ticket": "A001", "counter": "2"]) == "请 A001 号到 2 号窗口")
    }

    @Test func unreadableLinesOfARecordingAreWarnedAboutOnItsKeypadLine() throws {
        let site = try Site()
        let recording = site.assets + "/lobby.evemu"
        let events = EvemuRecording.format([InputEvent(time: 1, type: InputEvent.key, code: 79, value: 1)])
        try (events + "E: 1.2 0001 zz 1\n").write(toFile: recording, atomically: true, encoding: .utf8)
        var text = try String(contentsOfFile: site.config, encoding: .utf8)
        text += "\n[station pad]\nrole = lobby\nkeypad = evemu:\(recording)\n"
        try text.write(toFile: site.config, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").count - 1
        let (report, status) = site.check()
        #expect(status == 0)
        #expect(report.hasPrefix("\(site.config):\(line): warning: keypad = evemu:\(recording) of [station pad]: lines the replay will skip: line 4: bad type/code/value '0001 zz 1'; type and code are hex, value decimal\nok: "))
    }

    @Test func everyPlaceholderTableEntryNamesAShippedMessage() throws {
        let catalogs = try CatalogParser.loadAll(directory: assetsFolder + "/messages").get()
        for key in MessagePlaceholders.byKey.keys.sorted() {
            #expect(catalogs[.chinese].entries[key] != nil, "MessagePlaceholders lists '\(key)', which no catalog has: remove it")
        }
    }
}

extension Result {
    var failure: Failure? { if case .failure(let e) = self { e } else { nil } }
}

extension FilesPeopleEditTests {
    @Test func aWholeFileInGB18030NamesTenLinesThenCountsTheRest() throws {
        let site = try Site()
        let file = site.assets + "/keymap.conf"
        // Twelve comment lines "# 小键盘" in GB18030, then a valid map.
        let comment: [UInt8] = [0x23, 0x20, 0xD0, 0xA1, 0xBC, 0xFC, 0xC5, 0xCC, 0x0A]
        let bytes = Array(repeating: comment, count: 12).flatMap { $0 } + Array("[evdev]\nKEY_KPENTER = enter\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let (report, status) = site.check()
        #expect(status == 1)
        let expected = (1...10).map { "\(file):\($0): this line is not valid UTF-8; save the file as UTF-8 (not GBK, GB18030 or another encoding)\n" }.joined()
            + "\(file): 2 more lines are not valid UTF-8; save the whole file as UTF-8\n"
        #expect(report == expected)
    }
}
