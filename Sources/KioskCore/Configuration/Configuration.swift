#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskProtocol

/// Everything a site can configure. Built from defaults, then from `kiosk.conf`.
/// The daemon never starts with a half-valid configuration: parsing either yields a whole
/// `Configuration` or a list of `ConfigurationError`s.
public struct Configuration: Equatable, Sendable {
    /// Identifies this kiosk in events and at the centre.
    public var kioskID: String = "kiosk-01"
    public var siteName: String = "客户服务中心"
    /// Service centre phone, shown on case commitments and farewells.
    public var phone: String = "400-000-0000"
    /// Default language of every station ("zh-Hans" or "en").
    public var language: Language = .chinese
    /// Hour (0–23, local time) at which a business day begins; numbers restart then.
    public var businessDayStartHour: Int = 4
    /// Time zone used for business days, time of day and festivals (`timezone =`).
    public var zone: SiteTimeZone = .shanghai
    /// The same as Foundation's `TimeZone`, for code that formats with Foundation (the centre,
    /// tests); a process without Foundation's time zones gets the offset in effect now.
    public var timeZone: TimeZone {
        get { zone.foundation }
        set { zone = SiteTimeZone(newValue) }
    }
    /// Normal tickets called for every priority ticket while both wait (0: priority always first).
    public var normalCallsPerPriority: Int = 2
    /// Keep the promise printed on each ticket (`keep-promises`): a priority ticket is not called
    /// ahead of a normal ticket issued before it whose promise falls due within
    /// `promiseMarginMinutes` (`promise-margin`); priority still goes ahead of everyone else.
    /// Off by default: measured with kiosk-sim (README), it buys a little accuracy and about one
    /// promise in a hundred, paid by priority residents (about 2 minutes more on average).
    public var keepPromises = false
    public var promiseMarginMinutes: Int = 10
    /// The promise rule's margin in seconds; nil when promises are not kept.
    public var promiseMargin: TimeInterval? { keepPromises ? Double(promiseMarginMinutes) * 60 : nil }
    /// Recalls a counter must make before it may mark a ticket as a no-show.
    public var recallsBeforeNoShow: Int = 1
    /// Seconds the ticket screen stays up before returning to the lobby.
    public var ticketScreenSeconds: Int = 10
    /// Seconds the rating pad waits for an answer before recording "not rated".
    public var ratingTimeoutSeconds: Int = 30
    /// Seconds the reason question waits before giving up on the reason (the rating stays).
    public var reasonTimeoutSeconds: Int = 20
    /// Seconds the commitment (case) screen stays up before the farewell.
    public var commitmentSeconds: Int = 15
    /// Whether the rating pad asks for a call-back number when a case opens (`ask-contact =`).
    public var askContact = false
    /// Seconds the pad waits, after the last key, for the call-back number (`contact-seconds =`).
    public var contactSeconds: Int = 45
    /// Seconds the farewell stays up.
    public var farewellSeconds: Int = 8
    /// Number of recent service times averaged for estimates.
    public var estimateWindow: Int = 20
    /// Which wait estimator the lobby and tickets use (`estimator =`, one of `WaitEstimators.names`).
    public var estimator: String = "forecast"
    /// Follow-up reasons asked after a low rating (catalog keys, at most 6).
    public var reasons: [String] = ["reason.wait", "reason.attitude", "reason.unsolved", "reason.process", "reason.environment", "reason.other"]
    /// Root causes a handler or a counter picks when resolving a case (catalog keys, 1–9 of them:
    /// keys 1–9 at the counter), for the figures by root cause (`root-causes =`).
    public var rootCauses: [String] = ["cause.staff", "cause.process", "cause.facility", "cause.communication", "cause.third-party", "cause.other"]
    /// The time case deadlines count (`[calendar]`): around the clock by default.
    public var workingCalendar: WorkingCalendar = .always
    /// Weather used by the farewell until staff change it.
    public var weather: Weather = .clear
    /// ESC/POS receipt printer for lobby tickets (`printer = /dev/usb/lp0` in `[kiosk]`): the
    /// default for lobby stations without their own `printer =`, and the console demo's lobby's.
    public var printer: String? = nil
    /// Voice call-out run when a ticket is called, `{ticket}` and `{counter}` filled in
    /// (`announce-command = espeak-ng -v cmn "请 {ticket} 号到 {counter} 号窗口"`); nil: silent.
    public var announceCommand: String? = nil
    /// Seconds a call-out may take before it is killed (the next one waits until then).
    public var announceTimeoutSeconds: Int = 15
    /// Seconds the waiting-room board (`role = board`) shows a call (or recall) large and
    /// flashing before it settles into the list (`board-flash-seconds`, 1–60).
    public var boardFlashSeconds: Int = 6
    /// Central sync (`[kiosk]` keys central-url, token-file, ca-file, sync-*): no URL, no sync.
    public var centralURL: String? = nil
    public var syncTokenFile: String? = nil
    public var syncCAFile: String? = nil
    public var syncIntervalSeconds: Int = 60
    /// Events per upload (`sync-batch-size`, 1–1000; the centre takes at most 1000).
    public var syncBatchSize: Int = 500
    /// Unsent event JSON, in MiB, at which the operator is warned (`sync-disk-budget`); events
    /// are never dropped, the budget only decides when to warn (80 % and 100 %).
    public var syncDiskBudgetMiB: Int = 256
    public var services: [ServiceConfig] = ServiceConfig.defaults
    public var counters: [CounterConfig] = CounterConfig.defaults
    public var staff: [StaffConfig] = StaffConfig.defaults
    /// Festivals (month-day, catalog key) used by the farewell.
    public var festivals: [Festival] = Festival.defaults
    /// Physical stations (`[station NAME]`): display and keypad of the lobby and each counter.
    /// Empty: `kioskd` runs every station in its terminal.
    public var stations: [StationConfig] = []

    public init() {}

    public func service(_ id: String) -> ServiceConfig? { services.first { $0.id == id } }
    public func service(key: Int) -> ServiceConfig? { services.first { $0.key == key } }
    public func counter(_ number: Int) -> CounterConfig? { counters.first { $0.number == number } }
    public func staffMember(_ number: String) -> StaffConfig? { staff.first { $0.number == number } }
}

public enum Language: String, Equatable, Sendable, CaseIterable, Codable {
    case chinese = "zh-Hans"
    case english = "en"
}

/// The weather of the farewells: one list, defined with IT's `set-weather` in KioskProtocol.
public typealias Weather = KioskProtocol.Weather

/// A service residents can queue for.
public struct ServiceConfig: Equatable, Sendable {
    /// Stable identifier used in events ("repairs").
    public var id: String
    /// Lobby key (1–9) that picks it.
    public var key: Int
    /// Name per language.
    public var names: [Language: String]
    /// Ticket prefix ("A" → "A023").
    public var prefix: String
    /// Daily number range; numbers never repeat within a business day.
    public var firstNumber: Int = 1
    public var lastNumber: Int = 999
    /// Waits longer than this raise a care alert.
    public var targetWaitMinutes: Int = 10
    /// Assumed service time before there is history.
    public var typicalServiceMinutes: Int = 5
    /// Deadline for the first reply to a case opened for this service.
    public var replyDeadlineHours: Int = 48
    /// Resolution deadlines of its cases by severity (`resolve-ordinary`, `resolve-serious`): what
    /// the counter can settle within 30 minutes, serious matters within 6 hours, after the
    /// property call-centre standards; counted on the site's `WorkingCalendar`.
    public var resolveOrdinary: DeadlineDuration = .minutes(30)
    public var resolveSerious: DeadlineDuration = .hours(6)
    /// Complaint services' cases are all serious (resolved within `resolve-serious`), whatever
    /// the rating (`complaint = yes`).
    public var isComplaint: Bool = false

    public init(id: String, key: Int, names: [Language: String], prefix: String, firstNumber: Int = 1,
                lastNumber: Int = 999, targetWaitMinutes: Int = 10, typicalServiceMinutes: Int = 5,
                replyDeadlineHours: Int = 48, isComplaint: Bool = false) {
        self.id = id; self.key = key; self.names = names; self.prefix = prefix
        self.firstNumber = firstNumber; self.lastNumber = lastNumber
        self.targetWaitMinutes = targetWaitMinutes; self.typicalServiceMinutes = typicalServiceMinutes
        self.replyDeadlineHours = replyDeadlineHours; self.isComplaint = isComplaint
    }

    public func name(_ language: Language) -> String { names[language] ?? names[.chinese] ?? id }

    public static let defaults: [ServiceConfig] = [
        ServiceConfig(id: "repairs", key: 1, names: [.chinese: "报修", .english: "Repairs"], prefix: "A", typicalServiceMinutes: 6),
        ServiceConfig(id: "fees", key: 2, names: [.chinese: "缴费", .english: "Fee payment"], prefix: "B", typicalServiceMinutes: 3),
        ServiceConfig(id: "complaints", key: 3, names: [.chinese: "投诉建议", .english: "Complaints & suggestions"], prefix: "C", typicalServiceMinutes: 10, isComplaint: true),
        ServiceConfig(id: "permits", key: 4, names: [.chinese: "办证", .english: "Passes & permits"], prefix: "D", typicalServiceMinutes: 5),
        ServiceConfig(id: "move-in", key: 5, names: [.chinese: "入伙装修", .english: "Move-in & renovation"], prefix: "E", typicalServiceMinutes: 12),
        ServiceConfig(id: "enquiries", key: 6, names: [.chinese: "咨询", .english: "Enquiries"], prefix: "F", typicalServiceMinutes: 3),
    ]
}

/// A service counter (窗口) and the services it serves.
public struct CounterConfig: Equatable, Sendable {
    public var number: Int
    public var services: [String]
    public init(number: Int, services: [String]) { self.number = number; self.services = services }

    public static let defaults: [CounterConfig] = [
        CounterConfig(number: 1, services: ["repairs", "complaints", "enquiries"]),
        CounterConfig(number: 2, services: ["fees", "permits", "move-in", "enquiries"]),
    ]
}

/// A staff member who may log in at a counter. The PIN is only ever stored hashed.
public struct StaffConfig: Equatable, Sendable {
    public var number: String
    public var name: String
    /// yescrypt `$y$…` from `kioskctl hash-pin`, or the old form `pbkdf2-sha256$…` (see `PINHash`).
    public var pinHash: String
    public init(number: String, name: String, pinHash: String) {
        self.number = number; self.name = name; self.pinHash = pinHash
    }

    /// Demo staff: 1001 and 1002, both with PIN 1234 (`PINHash.demoYescrypt1234`).
    public static let defaults: [StaffConfig] = [
        StaffConfig(number: "1001", name: "张敏", pinHash: PINHash.demoYescrypt1234),
        StaffConfig(number: "1002", name: "李华", pinHash: PINHash.demoYescrypt1234),
    ]
}

/// A festival day that changes the farewell.
public struct Festival: Equatable, Sendable {
    public var month: Int
    public var day: Int
    /// Catalog key of the greeting ("festival.spring").
    public var messageKey: String
    public init(month: Int, day: Int, messageKey: String) { self.month = month; self.day = day; self.messageKey = messageKey }

    public static let defaults: [Festival] = [
        Festival(month: 1, day: 1, messageKey: "festival.new-year"),
        Festival(month: 5, day: 1, messageKey: "festival.labour"),
        Festival(month: 10, day: 1, messageKey: "festival.national"),
        Festival(month: 12, day: 25, messageKey: "festival.christmas"),
    ]
}
