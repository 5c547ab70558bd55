import Foundation
import Testing
@testable import KioskCore

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func shipped(_ name: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent("Kiosk").appendingPathComponent(name), encoding: .utf8)
}

/// The messages (as `file:line: message`) of parsing `text`, or [] if it parsed.
func diagnostics(_ text: String) -> [String] {
    switch ConfigurationParser.parse(text, file: "kiosk.conf") {
    case .success: return []
    case .failure(let errors): return errors.errors.map(\.description)
    }
}

func parsed(_ text: String) -> Configuration? {
    try? ConfigurationParser.parse(text, file: "kiosk.conf").get()
}

let twoNewServices = """
    [service parcels]
    key = 1
    name = 快递
    prefix = P
    [service keys]
    key = 2
    name = 钥匙
    prefix = K
    [counter 1]
    services = parcels, keys
    """

@Suite struct ShippedConfigurationTests {
    @Test func shippedFileEqualsDefaults() throws {
        let text = try shipped("kiosk.conf")
        let result = ConfigurationParser.parse(text, file: "kiosk.conf")
        if case .failure(let errors) = result { Issue.record("kiosk.conf does not parse:\n\(errors)") }
        let config = try result.get()
        let defaults = Configuration()
        #expect(config.kioskID == defaults.kioskID)
        #expect(config.timeZone == defaults.timeZone)
        #expect(config.services == defaults.services)
        #expect(config.counters == defaults.counters)
        #expect(config.staff == defaults.staff)
        #expect(config.festivals == defaults.festivals)
        #expect(config.reasons == defaults.reasons)
        #expect(config == defaults)
    }

    @Test func loadReadsTheShippedFile() throws {
        let path = packageRoot.appendingPathComponent("Kiosk/kiosk.conf").path
        #expect(try ConfigurationParser.load(path: path).get() == Configuration())
    }

    @Test func emptyFileGivesDefaults() {
        #expect(parsed("") == Configuration())
        #expect(parsed("# only a comment\n\n   ; another\n") == Configuration())
    }

    @Test func defaultStaffLogInWithDemoPIN() {
        for member in Configuration().staff { #expect(PINHash.verify(pin: "1234", against: member.pinHash)) }
    }
}

@Suite struct ConfigurationValueTests {
    @Test func kioskKeysSetTheirFields() throws {
        let config = try #require(parsed("""
            [kiosk]
            id = lobby-east
            site = 东区服务中心   # trailing comment
            phone = 0755-1234 5678
            language = en
            business-day-start = 0
            timezone = Europe/London
            normal-per-priority = 0
            recalls-before-no-show = 3
            ticket-screen-seconds = 3
            rating-timeout-seconds = 600
            reason-timeout-seconds = 25
            commitment-seconds = 16
            farewell-seconds = 9
            estimate-window = 200
            reasons = reason.wait, reason.other
            weather = cold
            """))
        #expect(config.kioskID == "lobby-east")
        #expect(config.siteName == "东区服务中心")
        #expect(config.phone == "0755-1234 5678")
        #expect(config.language == .english)
        #expect(config.businessDayStartHour == 0)
        #expect(config.timeZone.identifier == "Europe/London")
        #expect(config.normalCallsPerPriority == 0)
        #expect(config.recallsBeforeNoShow == 3)
        #expect(config.ticketScreenSeconds == 3)
        #expect(config.ratingTimeoutSeconds == 600)
        #expect(config.reasonTimeoutSeconds == 25)
        #expect(config.commitmentSeconds == 16)
        #expect(config.farewellSeconds == 9)
        #expect(config.estimateWindow == 200)
        #expect(config.reasons == ["reason.wait", "reason.other"])
        #expect(config.weather == .cold)
        // Untouched sections keep their defaults.
        #expect(config.services == ServiceConfig.defaults)
        #expect(config.counters == CounterConfig.defaults)
    }

    @Test func unspecifiedKeysKeepDefaults() throws {
        let config = try #require(parsed("[kiosk]\nfarewell-seconds = 12\n"))
        var expected = Configuration()
        expected.farewellSeconds = 12
        #expect(config == expected)
    }

    @Test func serviceSectionsReplaceDefaults() throws {
        let config = try #require(parsed(twoNewServices))
        #expect(config.services.map(\.id) == ["parcels", "keys"])
        let parcels = try #require(config.service("parcels"))
        #expect(parcels == ServiceConfig(id: "parcels", key: 1, names: [.chinese: "快递"], prefix: "P"))
        #expect(parcels.name(.english) == "快递")
        #expect(config.counters == [CounterConfig(number: 1, services: ["parcels", "keys"])])
        #expect(config.staff == StaffConfig.defaults)
    }

    @Test func serviceFieldsParse() throws {
        let config = try #require(parsed("""
            [service repairs]
            numbers = 100-4999
            target-wait = 120
            typical-service = 1
            reply-deadline = 72h
            complaint = TRUE
            name.en = Fix-it
            [service fees]
            reply-deadline = 24
            prefix = BB
            [counter 1]
            services = repairs,fees
            """))
        let repairs = try #require(config.service("repairs"))
        // A built-in ID starts from the built-in service.
        #expect(repairs.key == 1 && repairs.prefix == "A" && repairs.names[.chinese] == "报修")
        #expect(repairs.names[.english] == "Fix-it")
        #expect(repairs.firstNumber == 100 && repairs.lastNumber == 4999)
        #expect(repairs.targetWaitMinutes == 120 && repairs.typicalServiceMinutes == 1)
        #expect(repairs.replyDeadlineHours == 72 && repairs.isComplaint)
        let fees = try #require(config.service("fees"))
        #expect(fees.replyDeadlineHours == 24 && fees.prefix == "BB")
        #expect(config.services.count == 2)
    }

    @Test func staffAndFestivals() throws {
        let hash = PINHash.hash(pin: "9876", salt: [9, 9, 9], iterations: 50)
        let config = try #require(parsed("""
            [staff 007]
            name = 王五
            pin-hash = \(hash)
            [festival]
            2-14 = festival.valentine
            02-29 = festival.leap
            """))
        #expect(config.staff == [StaffConfig(number: "007", name: "王五", pinHash: hash)])
        #expect(config.festivals == [Festival(month: 2, day: 14, messageKey: "festival.valentine"),
                                     Festival(month: 2, day: 29, messageKey: "festival.leap")])
        #expect(PINHash.verify(pin: "9876", against: config.staffMember("007")!.pinHash))
    }

    @Test func emptyFestivalSectionTurnsFestivalsOff() throws {
        #expect(try #require(parsed("[festival]\n")).festivals == [])
    }

    @Test func syntaxDetails() throws {
        let config = try #require(parsed("\u{FEFF}  [kiosk]  \r\n\tsite=A#1 ;x\r\n; comment\r\n  # comment\r\nphone = 1 ; trailing\r\n"))
        // '#' and ';' only start a comment at the start of a line or after whitespace.
        #expect(config.siteName == "A#1")
        #expect(config.phone == "1")
    }
}

@Suite struct ConfigurationErrorTests {
    func expectErrors(_ text: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(diagnostics(text) == expected, sourceLocation: sourceLocation)
    }

    @Test func unknownKeyWithSuggestion() {
        expectErrors("[service repairs]\nprefx = A\n[counter 1]\nservices = repairs\n", [
            "kiosk.conf:2: unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)",
        ])
        expectErrors("[kiosk]\ntimezne = UTC\nWeather = rain\n", [
            "kiosk.conf:2: unknown key 'timezne' in [kiosk] (did you mean 'timezone'?)",
            "kiosk.conf:3: unknown key 'Weather' in [kiosk] (did you mean 'weather'?)",
        ])
    }

    @Test func unknownKeyWithoutSuggestion() {
        expectErrors("[kiosk]\ncolour = blue\n", [
            "kiosk.conf:2: unknown key 'colour' in [kiosk]; valid keys are " + ConfigurationParser.kioskKeys.joined(separator: ", "),
        ])
        expectErrors("[kiosk]\nprefix = A\n", [
            "kiosk.conf:2: unknown key 'prefix' in [kiosk]; 'prefix' belongs in a [service ID] section, move it there",
        ])
    }

    @Test func unknownSection() {
        expectErrors("[servce repairs]\nkey = 1\n[lobby]\nx = 1\n", [
            "kiosk.conf:1: unknown section [servce repairs] (did you mean [service repairs]?)",
            "kiosk.conf:3: unknown section [lobby]; sections are [kiosk], [service ID], [counter N], [staff NUMBER], [festival] and [station NAME]",
        ])
    }

    @Test func badSectionHeaders() {
        expectErrors("[service]\n[counter 100]\nservices = repairs\n[staff 12]\nname = x\npin-hash = \(PINHash.demoHash1234)\n[kiosk main]\n[service Repairs]\n[service repairs\n", [
            "kiosk.conf:1: [service] needs an ID, e.g. [service repairs]",
            "kiosk.conf:2: counter number '100' must be a whole number from 1 to 99, e.g. [counter 1]",
            "kiosk.conf:3: [counter 100] serves unknown service 'repairs' (did you mean 'Repairs'?); use the ID of a [service ID] section (Repairs)",
            "kiosk.conf:4: staff number '12' must be 3 to 8 digits, e.g. [staff 1001]",
            "kiosk.conf:7: [kiosk] takes no name, but has 'main'; write just [kiosk]",
            "kiosk.conf:8: service ID 'Repairs' may only use lowercase letters, digits and '-'; rename it, e.g. [service repairs]",
            "kiosk.conf:8: [service Repairs] has no 'key'; a new service needs key = 1–9, the lobby key that picks it",
            "kiosk.conf:8: [service Repairs] has no 'name'; a new service needs name = its Chinese name",
            "kiosk.conf:8: [service Repairs] has no 'prefix'; a new service needs prefix = 1–2 uppercase letters for its tickets",
            "kiosk.conf:8: service 'Repairs' is served by no counter: tickets could never be called; add it to a counter's services",
            "kiosk.conf:9: section header '[service repairs' has no closing ']'; write it like [service repairs]",
        ])
    }

    @Test func lineThatIsNeitherSectionNorKeyValue() {
        expectErrors("[kiosk]\nsite 客户服务中心\n= 3\n", [
            "kiosk.conf:2: 'site 客户服务中心' is neither a [section] header nor key = value; fix the line or comment it out with #",
            "kiosk.conf:3: '= 3' has no key before '='; write key = value",
        ])
    }

    @Test func keyOutsideSection() {
        expectErrors("site = x\n[kiosk]\n", [
            "kiosk.conf:1: 'site' is outside any section; put it below a section header such as [kiosk]",
        ])
    }

    @Test func numbersOutOfRange() {
        expectErrors("""
            [kiosk]
            business-day-start = 24
            normal-per-priority = two
            recalls-before-no-show = 10
            ticket-screen-seconds = 2
            farewell-seconds = 601
            estimate-window = 0
            """, [
            "kiosk.conf:2: business-day-start = 24 in [kiosk] is out of range; use an hour from 0 to 23",
            "kiosk.conf:3: normal-per-priority in [kiosk] must be a whole number, not 'two'; use a count from 0 to 10",
            "kiosk.conf:4: recalls-before-no-show = 10 in [kiosk] is out of range; use a count from 0 to 9",
            "kiosk.conf:5: ticket-screen-seconds = 2 in [kiosk] is out of range; use a number of seconds from 3 to 600",
            "kiosk.conf:6: farewell-seconds = 601 in [kiosk] is out of range; use a number of seconds from 3 to 600",
            "kiosk.conf:7: estimate-window = 0 in [kiosk] is out of range; use a number of services from 1 to 200",
        ])
    }

    @Test func choicesAndNames() {
        expectErrors("""
            [kiosk]
            language = fr
            weather = rainy
            timezone = Asia/Shangai
            id = kiosk 01
            reasons = reason.wait, , reason.other
            """, [
            "kiosk.conf:2: language = fr in [kiosk] is not allowed; use one of: zh-Hans, en",
            "kiosk.conf:3: weather = rainy in [kiosk] is not allowed; use one of: clear, rain, hot, cold (did you mean 'rain'?)",
            "kiosk.conf:4: timezone 'Asia/Shangai' in [kiosk] is not a known IANA time zone; use a name like Asia/Shanghai (did you mean 'Asia/Shanghai'?)",
            "kiosk.conf:5: id 'kiosk 01' in [kiosk] may only use letters, digits, '.', '_' and '-' (at most 64); e.g. id = kiosk-01",
            "kiosk.conf:6: reasons in [kiosk] has an empty item; separate items with single commas, e.g. reasons = reason.wait, reason.attitude",
        ])
    }

    @Test func tooManyReasons() {
        expectErrors("[kiosk]\nreasons = r.a, r.b, r.c, r.d, r.e, r.f, r.g\n", [
            "kiosk.conf:2: reasons in [kiosk] lists 7 reasons; the rating pad offers at most 6 (keys 1–6), remove some",
        ])
        expectErrors("[kiosk]\nreasons = r.a, r.a\n", [
            "kiosk.conf:2: reasons in [kiosk] lists 'r.a' twice; list each only once",
        ])
    }

    @Test func badServiceValues() {
        expectErrors("""
            [service repairs]
            key = 0
            prefix = a1
            numbers = 500-100
            target-wait = 0
            typical-service = 121
            reply-deadline = 2d
            complaint = maybe
            [service fees]
            numbers = 1 to 9
            reply-deadline = 721h
            [counter 1]
            services = repairs, fees
            """, [
            "kiosk.conf:2: key = 0 in [service repairs] is out of range; use a lobby key from 1 to 9",
            "kiosk.conf:3: prefix 'a1' in [service repairs] is not allowed; use 1 or 2 uppercase letters, e.g. prefix = A",
            "kiosk.conf:4: numbers = 500-100 in [service repairs] is out of range; the first number must be at least 1 and at most the last, and the last at most 9999",
            "kiosk.conf:5: target-wait = 0 in [service repairs] is out of range; use minutes from 1 to 120",
            "kiosk.conf:6: typical-service = 121 in [service repairs] is out of range; use minutes from 1 to 120",
            "kiosk.conf:7: reply-deadline in [service repairs] must be a whole number, not '2d'; use hours (e.g. 48 or 48h) from 1 to 720",
            "kiosk.conf:8: complaint = maybe in [service repairs] is not allowed; use one of: yes, no, true, false",
            "kiosk.conf:10: numbers = 1 to 9 in [service fees] is not a range; write first-last, e.g. numbers = 1-999",
            "kiosk.conf:11: reply-deadline = 721 in [service fees] is out of range; use hours (e.g. 48 or 48h) from 1 to 720",
        ])
    }

    @Test func duplicates() {
        expectErrors("""
            [kiosk]
            site = A
            site = B
            [kiosk]
            site = C
            [service parcels]
            key = 1
            name = 快递
            prefix = A
            [service keys]
            key = 1
            name = 钥匙
            prefix = A
            [counter 1]
            services = parcels, keys
            [counter 01]
            services = parcels
            """, [
            "kiosk.conf:3: duplicate key 'site' in [kiosk] (first set on line 2); keep only one",
            "kiosk.conf:4: duplicate section [kiosk] (first on line 1); merge the two into one section",
            "kiosk.conf:11: key 1 of [service keys] is already used by [service parcels] (line 7); give each service its own lobby key 1–9",
            "kiosk.conf:13: prefix 'A' of [service keys] is already used by [service parcels] (line 9); give each service its own prefix",
            "kiosk.conf:16: duplicate section [counter 1] (first on line 14); merge the two into one section",
        ])
    }

    @Test func inheritedKeyClashesWithNewService() {
        // [service fees] keeps the built-in key 2 and prefix B.
        expectErrors("""
            [service fees]
            [service parcels]
            key = 2
            name = 快递
            prefix = B
            [counter 1]
            services = fees, parcels
            """, [
            "kiosk.conf:3: key 2 of [service parcels] is already used by [service fees] (line 1); give each service its own lobby key 1–9",
            "kiosk.conf:5: prefix 'B' of [service parcels] is already used by [service fees] (line 1); give each service its own prefix",
        ])
    }

    @Test func countersAndServicesMustMatch() {
        expectErrors(twoNewServices.replacingOccurrences(of: "services = parcels, keys", with: "services = parcel, lockers") + "\n[counter 2]\n", [
            "kiosk.conf:1: service 'parcels' is served by no counter: tickets could never be called; add it to a counter's services",
            "kiosk.conf:5: service 'keys' is served by no counter: tickets could never be called; add it to a counter's services",
            "kiosk.conf:10: [counter 1] serves unknown service 'parcel' (did you mean 'parcels'?); use the ID of a [service ID] section (parcels, keys)",
            "kiosk.conf:10: [counter 1] serves unknown service 'lockers'; use the ID of a [service ID] section (parcels, keys)",
            "kiosk.conf:11: [counter 2] has no 'services'; add services = the IDs of the services it serves, e.g. services = repairs, fees",
        ])
    }

    @Test func defaultCountersWithFileServices() {
        expectErrors("[service repairs]\n", [
            "kiosk.conf: the default counters serve complaints, enquiries, fees, permits, move-in, which this file does not define; add [counter N] sections listing your services",
        ])
    }

    @Test func fileCountersMustCoverDefaultServices() {
        expectErrors("[counter 1]\nservices = repairs, fees, complaints, permits, move-in\n", [
            "kiosk.conf: service 'enquiries' is served by no counter: tickets could never be called; add it to a counter's services",
        ])
    }

    @Test func staffErrors() {
        expectErrors("""
            [staff 1003]
            name = 王芳
            pin = 1234
            [staff 1004]
            pin-hash = 5f4dcc3b5aa765d61d8327deb882cf99
            [staff 1005]
            name = 赵六
            """, [
            "kiosk.conf:3: PINs are never stored in clear; run `kioskctl hash-pin` and put the result in pin-hash",
            "kiosk.conf:4: [staff 1004] has no 'name'; add name = the staff member's name",
            "kiosk.conf:5: pin-hash of [staff 1004] is not a valid hash (pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX); run `kioskctl hash-pin` and use the pin-hash line it prints",
            "kiosk.conf:6: [staff 1005] has no 'pin-hash'; run `kioskctl hash-pin` and add the pin-hash line it prints",
        ])
    }

    @Test func festivalErrors() {
        expectErrors("""
            [festival]
            christmas = festival.christmas
            13-01 = festival.x
            02-30 = festival.x
            12-25 = festival christmas
            1-1 = festival.a
            01-01 = festival.b
            """, [
            "kiosk.conf:2: 'christmas' in [festival] is not a date; write MM-DD = catalog.key, e.g. 12-25 = festival.christmas",
            "kiosk.conf:3: '13-01' in [festival] is not a day of the year; write MM-DD with a real month and day, e.g. 10-01",
            "kiosk.conf:4: '02-30' in [festival] is not a day of the year; write MM-DD with a real month and day, e.g. 10-01",
            "kiosk.conf:5: 'festival christmas' for 12-25 in [festival] is not a catalog key; use a key like festival.new-year",
            "kiosk.conf:7: duplicate date 01-01 in [festival] (first on line 6); keep one greeting per day",
        ])
    }

    @Test func emptyValue() {
        expectErrors("[kiosk]\nsite =\n", [
            "kiosk.conf:2: 'site' in [kiosk] has no value; write site = … or delete the line",
        ])
    }

    @Test func allErrorsAreReportedInFileOrder() {
        let errors = diagnostics("""
            [kiosk]
            langauge = en
            business-day-start = 30
            [service repairs]
            prefx = Q
            key = 10
            [staff 1001]
            name = 张敏
            pin = 1234
            nonsense
            """)
        #expect(errors == [
            "kiosk.conf:2: unknown key 'langauge' in [kiosk] (did you mean 'language'?)",
            "kiosk.conf:3: business-day-start = 30 in [kiosk] is out of range; use an hour from 0 to 23",
            "kiosk.conf:5: unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)",
            "kiosk.conf:6: key = 10 in [service repairs] is out of range; use a lobby key from 1 to 9",
            "kiosk.conf:9: PINs are never stored in clear; run `kioskctl hash-pin` and put the result in pin-hash",
            "kiosk.conf:10: 'nonsense' is neither a [section] header nor key = value; fix the line or comment it out with #",
            "kiosk.conf: the default counters serve complaints, enquiries, fees, permits, move-in, which this file does not define; add [counter N] sections listing your services",
        ])
    }

    @Test func errorValuesAndDescriptions() {
        let error = ConfigurationError(file: "kiosk.conf", line: 12, message: "unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)")
        #expect(error.description == "kiosk.conf:12: unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)")
        guard case .failure(let errors) = ConfigurationParser.parse("[service repairs]\nprefx = A\n[counter 1]\nservices = repairs\n", file: "kiosk.conf") else {
            Issue.record("expected failure"); return
        }
        #expect(errors.errors == [ConfigurationError(file: "kiosk.conf", line: 2, message: "unknown key 'prefx' in [service repairs] (did you mean 'prefix'?)")])
        #expect(ConfigurationErrors([error, error]).description == "\(error)\n\(error)")
    }

    @Test func didYouMean() {
        #expect(ConfigurationLexer.suggestion(for: "prefx", among: ConfigurationParser.serviceKeys) == "prefix")
        #expect(ConfigurationLexer.suggestion(for: "typical-servce", among: ConfigurationParser.serviceKeys) == "typical-service")
        #expect(ConfigurationLexer.suggestion(for: "nmae", among: ConfigurationParser.serviceKeys) == "name")
        #expect(ConfigurationLexer.suggestion(for: "colour", among: ConfigurationParser.serviceKeys) == nil)
        #expect(ConfigurationLexer.suggestion(for: "x", among: ["id"]) == nil)
        #expect(ConfigurationLexer.editDistance(Array("kitten"), Array("sitting")) == 3)
    }
}

@Suite struct ConfigurationLoadTests {
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-\(UUID().uuidString).conf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func missingFileNamesThePath() {
        let path = "/nonexistent/dir/kiosk.conf"
        guard case .failure(let errors) = ConfigurationParser.load(path: path) else { Issue.record("expected failure"); return }
        #expect(errors.errors.count == 1)
        #expect(errors.errors[0].file == path)
        #expect(errors.errors[0].description.contains("'/nonexistent/dir/kiosk.conf' does not exist"))
    }

    @Test func directoryIsAnError() {
        guard case .failure(let errors) = ConfigurationParser.load(path: NSTemporaryDirectory()) else { Issue.record("expected failure"); return }
        #expect(errors.errors[0].message.contains("is a directory"))
    }

    @Test func invalidUTF8NamesTheLine() throws {
        let path = try temporaryFile(Array("[kiosk]\nsite = ".utf8) + [0xBF, 0xCD, 0xB7, 0xFE] + Array("\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .failure(let errors) = ConfigurationParser.load(path: path) else { Issue.record("expected failure"); return }
        #expect(errors.errors.map(\.description) == ["\(path):2: this line is not valid UTF-8; save the file as UTF-8 (not GBK, GB18030 or another encoding)"])
    }

    @Test func loadReportsErrorsWithThePath() throws {
        let path = try temporaryFile(Array("[kiosk]\nweather = snow\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .failure(let errors) = ConfigurationParser.load(path: path) else { Issue.record("expected failure"); return }
        #expect(errors.errors.map(\.description) == ["\(path):2: weather = snow in [kiosk] is not allowed; use one of: clear, rain, hot, cold"])
    }
}
