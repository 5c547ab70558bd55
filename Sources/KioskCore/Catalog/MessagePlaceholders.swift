/// Which `{name}` placeholders each catalog message is given when it is shown, so a typo such
/// as `{tickett}` is refused by `kioskd --check-config` (with the file, the line and the names
/// that message can use) instead of reaching the lobby as "请 {tickett} 号到 1 号窗口".
///
/// The table follows the code that fills the messages (`ScreenBuilder`, `CaseScreens`,
/// `BoardScreen`, `TicketPrinting`, the centre's `ResidentMessageText`): when a `text(key, …)`
/// call gains or loses an argument, change its line here too. A message not listed is given no
/// placeholders. `CatalogPlaceholderTests` checks the shipped catalogs against it.
public enum MessagePlaceholders {
    /// The counter key names every counter text may use (`{key.care}`, `{key.log-in}`, …),
    /// from `CounterKeys.placeholders`.
    static let counterKeys: Set<String> = Set(["key.log-in"] + CounterKeys.loggedIn.map { "key." + $0.action.rawValue })

    /// Exact keys → the placeholders their message is given.
    static let byKey: [String: Set<String>] = [
        "lobby.title": ["site"], "board.title": ["site"],
        "lobby.footer": ["time", "weekday"],
        "lobby.choice.waiting": ["count", "low", "high"],
        "lobby.apology": ["ticket", "minutes", "low", "high"],
        "lobby.call": ["ticket", "counter"], "board.recent.call": ["ticket", "counter"],
        "lobby.advice": ["busy", "quiet"],
        "lobby.table.people": ["count"], "lobby.table.range": ["low", "high"],
        "board.counter": ["counter"],
        "ticket.position": ["ahead"], "ticket.estimate": ["low", "high"], "ticket.keep": ["phone"], "print.phone": ["phone"],
        "counter.title": ["counter"],
        "counter.login.staff": ["digits"], "counter.login.pin": ["staff", "mask"],
        "counter.transfer.pick": ["services"],
        "counter.status.open": ["services", "waiting"], "counter.status.paused": ["services", "waiting"],
        "counter.status.closed": ["services", "waiting"],
        "counter.called": ["service", "recalls", "waited"], "counter.serving": ["service", "recalls", "waited"],
        "counter.care-alert": counterKeys.union(["ticket", "minutes"]),
        "counter.care-predicted": ["ticket", "minutes", "predicted", "target"],
        "counter.printer-alert": ["problem"], "counter.slip-alert": ["problem"],
        "counter.case.choose": ["ref", "choices"], "counter.case.cause": ["ref"],
        "counter.case.open": counterKeys.union(["ref", "reason"]),
        "counter.case-alert.near": counterKeys.union(["ref", "what", "deadline"]),
        "counter.case-alert.overdue": counterKeys.union(["ref", "what", "deadline"]),
        "counter.case-alert.more": ["count"],
        "counter.hint.logged-out": counterKeys,
        "counter.notice.finish-first": counterKeys.union(["ticket"]),
        "counter.notice.start-first": counterKeys.union(["ticket"]),
        "counter.notice.recall-first": counterKeys.union(["count"]),
        "counter.notice.logged-in-elsewhere": counterKeys.union(["counter"]),
        "counter.notice.case-replied": counterKeys.union(["ref"]),
        "counter.notice.case-replied-already": counterKeys.union(["ref"]),
        "counter.notice.case-resolved": counterKeys.union(["ref"]),
        // Shown as a counter notice (Contacts.swift), so given the key names like the others.
        "pad.contact.invalid": counterKeys,
        "storage.problem": ["error"],
        "pad.contact.hint": ["ref"],
        "pad.commitment": ["ref", "deadline", "phone"], "farewell.case": ["ref", "deadline", "phone"],
        "lookup.unknown": ["ref"], "lookup.tries-left": ["count"], "lookup.locked": ["seconds", "phone"],
        "lookup.status": ["status"], "lookup.handled-by": ["status", "assignee"],
        "lookup.opened": ["time", "reason"], "lookup.replied": ["time", "channel"],
        "lookup.resolved": ["time"], "lookup.closed": ["time"], "lookup.as-of": ["time"],
        "slip.reference": ["ref"], "slip.reason": ["reason"], "slip.visit": ["service", "counter", "ticket"],
        "slip.opened": ["time"], "slip.reply-by": ["deadline"], "slip.resolve-by": ["deadline"],
        "slip.contact": ["contact"], "slip.staff": ["staff"],
    ]

    /// Key prefixes → the placeholders of every message under them (checked after `byKey`).
    static let byPrefix: [(prefix: String, names: Set<String>)] = [
        // Every counter notice gets the key names merged with its own arguments.
        ("counter.notice.", counterKeys),
        ("lookup.next.", ["deadline", "phone"]),
        // Residents' text messages, filled by the centre (kiosk-central's ResidentMessageText).
        ("notify.resident.", ["ref", "time", "phone", "site"]),
    ]

    /// The placeholders the message `key` is given (empty: it is shown as written).
    public static func given(to key: String) -> Set<String> {
        if let names = byKey[key] { return names }
        return byPrefix.first { key.hasPrefix($0.prefix) }?.names ?? []
    }

    /// The `{name}` placeholders written in `text`, in order (a name is letters, digits, `.`,
    /// `_` and `-`; other braces are plain text).
    public static func written(in text: String) -> [String] {
        // On UTF-8 bytes (every character of a name and both braces are ASCII): catalogs are
        // checked at every start, and walking Characters segmented every grapheme of them.
        var names: [String] = []
        let bytes = text.utf8
        var i = bytes.startIndex
        while let open = bytes[i...].firstIndex(of: UInt8(ascii: "{")) {
            let first = bytes.index(after: open)
            let close = bytes[first...].firstIndex { !isNameByte($0) } ?? bytes.endIndex
            if close < bytes.endIndex, bytes[close] == UInt8(ascii: "}"), close > first {
                names.append(String(text[first..<close]))
                i = bytes.index(after: close)
            } else {
                i = first
            }
        }
        return names
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
    }
}
