/// What a key does at a counter where staff are logged in.
public enum CounterAction: String, CaseIterable, Sendable {
    case call, recall, noShow = "no-show", transfer, startFinish = "start-finish", care, unresolved
    /// The case of the visit just served (reply, resolve) or an escalation alert (acknowledge).
    case followUp = "case"
    case pause, weather
    case logOut = "log-out"

    /// The catalog key of its words in the footer hint ("counter.action.call" = 叫号 / call).
    public var hintKey: String { "counter.action." + rawValue }
}

/// The counter keypad's layout, in one table: it drives what `KioskMachine.counterKey` does with
/// a key, and it writes the footer hint of the counter screen in every language (the words come
/// from the catalogs, `counter.action.*`; the keys and their order from here). Change a key
/// here and both follow.
public enum CounterKeys {
    /// Staff logged in: every key with its action, in the order the hint lists them.
    public static let loggedIn: [(key: Key, action: CounterAction)] = [
        (.plus, .call), (.minus, .recall), (.slash, .noShow), (.dot, .transfer), (.enter, .startFinish),
        (.star, .care), (.digit(8), .unresolved), (.digit(7), .followUp), (.digit(9), .pause), (.digit(5), .weather), (.digit(0), .logOut),
    ]

    /// Logged out: the key that starts a login (then staff number, Enter, PIN, Enter).
    public static let logIn: Key = .digit(0)

    /// The action of `key` for logged-in staff, if it has one.
    public static func action(for key: Key) -> CounterAction? {
        loggedIn.first { $0.key == key }?.action
    }

    /// How a key is written in a hint: its own character, or the catalog's word (`key.enter`).
    public static func label(_ key: Key, _ catalog: Catalog) -> String {
        switch key {
        case .enter, .backspace: return catalog.text("key." + key.name)
        default: return key.name
        }
    }

    /// The counter screen's footer hint: "+ 叫号 - 重呼 …" for logged-in staff, "按 0 登录" otherwise.
    public static func hint(loggedIn isLoggedIn: Bool, _ catalog: Catalog) -> String {
        guard isLoggedIn else { return catalog.text("counter.hint.logged-out", placeholders(catalog)) }
        return loggedIn.map { label($0.key, catalog) + " " + catalog.text($0.action.hintKey) }.joined(separator: " ")
    }

    /// Every key as counter texts name it: `{key.log-in}`, `{key.pause}`, `{key.care}`, … (one per
    /// action), so a notice that says which key to press follows the table too.
    public static func placeholders(_ catalog: Catalog) -> [String: String] {
        var names = ["key.log-in": label(logIn, catalog)]
        for (key, action) in loggedIn { names["key." + action.rawValue] = label(key, catalog) }
        return names
    }

    /// The catalog keys the hints use, for `ScreenBuilder.requiredKeys`.
    public static let catalogKeys: [String] = ["counter.hint.logged-out", "key.enter", "key.backspace"] + CounterAction.allCases.map(\.hintKey)
}
