#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskKeypad
import KioskSystem

/// Everything the daemon needs before it can show a screen: configuration, message catalogs
/// and key maps, each checked. Either all of it loads, or the errors say what to fix.
public struct KioskSetup: Sendable {
    public var configuration: Configuration
    public var catalogs: Catalogs
    public var terminalKeys: KeyMap
    /// The [evdev] key map for USB keypads (a `[station]` may replace it with its own keys).
    public var evdevKeys: KeyMap = .defaultEvdev
    /// Where `Kiosk/` assets were found.
    public var assets: String
    /// Where the configuration came from ("built-in defaults" when no file exists).
    public var configSource: String
    /// The centre's published configuration version in effect (0: only the local file).
    public var publishedVersion: Int = 0
    /// Why the stored published configuration could not be applied (the local file runs).
    public var publishedProblem: String?
    /// Problems in the local configuration file that do not stop the kiosk (a `pin-hash` in the
    /// old form): `kioskd --check-config` prints them, kioskd logs them at start.
    public var warnings: [ConfigurationError] = []

    public static let defaultConfigPath = "/etc/kiosk/kiosk.conf"

    /// Finds the site assets (`messages/`, `keymap.conf`): an explicit folder, `$KIOSK_ASSETS`,
    /// the installed `/usr/share/kiosk`, then the source tree the binary was built from.
    public static func locateAssets(explicit: String?) -> String? {
        if let e = explicit { return e }
        // Looked at one by one, with libc (getenv, access, realpath): ProcessInfo's environment
        // copies every variable into a dictionary, and URL's path code is 0.2 MB of Foundation
        // that a kiosk's start would keep resident for this alone.
        func holdsAssets(_ folder: String) -> Bool { access(folder + "/messages/zh-Hans.catalog", F_OK) == 0 }
        if let env = getenv("KIOSK_ASSETS"), holdsAssets(String(cString: env)) { return String(cString: env) }
        if holdsAssets("/usr/share/kiosk") { return "/usr/share/kiosk" }
        // The source tree: "Kiosk" in the executable's folder (links resolved) or one of the four above it.
        let executable = CommandLine.arguments.first ?? ""
        var folder = Path.folder(of: executable)
        if let resolved = realpath(executable, nil) {
            folder = Path.folder(of: String(cString: resolved))
            free(resolved)
        }
        for _ in 0..<5 {
            let candidate = Path.join(folder, "Kiosk")
            if holdsAssets(candidate) { return candidate }
            folder = Path.folder(of: folder)
        }
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        let candidate = Path.join(String(cString: cwd), "Kiosk")
        return holdsAssets(candidate) ? candidate : nil
    }

    /// Loads and checks everything. `configPath` nil means the default path, used only if it exists.
    /// With `stateDirectory`, a kiosk that syncs runs the centre's published configuration it last
    /// applied (stored there) over the local file; if that cannot be applied the local file runs
    /// and `publishedProblem` says why.
    public static func load(
        configPath: String?, assets explicitAssets: String?, stateDirectory: String? = nil
    ) -> Result<KioskSetup, ConfigurationErrors> {
        let local = loadLocal(configPath: configPath, assets: explicitAssets)
        guard case .success(var setup) = local, let stateDirectory, setup.configuration.centralURL != nil else { return local }
        do {
            guard let published = try PublishedConfiguration.load(stateDirectory: stateDirectory) else { return local }
            switch published.applied(to: setup) {
            case .success(let s): return .success(s)
            case .failure(let e):
                setup.publishedProblem = "the stored published configuration version \(published.version) cannot be applied, \(setup.configSource) runs instead:\n\(e.description)"
            }
        } catch {
            setup.publishedProblem = "\(error)"
        }
        return .success(setup)
    }

    /// The message keys `configuration` needs that `catalogs` lack, each reported where the
    /// mistake is: a key the screens use on the catalog that lacks it, a key that kiosk.conf's
    /// `reasons` or `[festival]` names on that line of kiosk.conf (most often a typo there, and
    /// the catalogs are fine).
    static func missingKeys(_ configuration: Configuration, _ catalogs: Catalogs, lines: ConfigurationSourceLines,
                            configFile: String, messages: String) -> [ConfigurationError] {
        var errors: [ConfigurationError] = []
        for language in Language.allCases {
            for key in ScreenBuilder.requiredKeys where catalogs[language].entries[key] == nil {
                errors.append(ConfigurationError(file: "\(messages)/\(language.rawValue).catalog", line: 0,
                                                 message: "missing '\(key)', which the screens use; add it"))
            }
        }
        let named = configuration.reasons.map { ($0, "reasons in [kiosk]", lines.reasons) }
            + configuration.festivals.map { ($0.messageKey, "[festival]", lines.festivals[$0.messageKey] ?? 0) }
        var reported: Set<String> = []
        for (key, setting, line) in named where reported.insert(key).inserted {
            let lacking = Language.allCases.filter { catalogs[$0].entries[key] == nil }.map { "\($0.rawValue).catalog" }
            guard !lacking.isEmpty else { continue }
            guard line > 0 else {  // the built-in defaults name it: the catalogs are what is wrong
                for file in lacking { errors.append(ConfigurationError(file: "\(messages)/\(file)", line: 0, message: "missing '\(key)', which the default \(setting) uses; add it")) }
                continue
            }
            let family = key.split(separator: ".").first.map { String($0) + "." } ?? ""
            let known = catalogs[.chinese].keys(withPrefix: family)
            var message = "\(setting) names '\(Excerpt.of(key))', which \(lacking.joined(separator: " and ")) in \(messages) \(lacking.count == 1 ? "does" : "do") not have"
            if let s = Suggestion.closest(to: key, among: known) { message += " (did you mean '\(s)'?)" }
            message += known.isEmpty || known.count > 12
                ? "; use a key the catalogs define, or add '\(Excerpt.of(key))' to every catalog"
                : "; use one of \(known.joined(separator: ", ")), or add '\(Excerpt.of(key))' to every catalog"
            errors.append(ConfigurationError(file: configFile, line: line, message: message))
        }
        return errors
    }

    /// The message keys a configuration needs that `catalogs` lack (in any language).
    static func missingCatalogKeys(_ configuration: Configuration, _ catalogs: Catalogs) -> [String] {
        let keys = ScreenBuilder.requiredKeys + configuration.reasons + configuration.festivals.map(\.messageKey)
        var missing: [String] = []
        for language in Language.allCases {
            for key in keys where catalogs[language].entries[key] == nil && !missing.contains(key) { missing.append(key) }
        }
        return missing
    }

    static func loadLocal(configPath: String?, assets explicitAssets: String?) -> Result<KioskSetup, ConfigurationErrors> {
        guard let assets = locateAssets(explicit: explicitAssets) else {
            return .failure(ConfigurationErrors(errors: [ConfigurationError(file: explicitAssets ?? "Kiosk/", line: 0,
                message: "site assets not found (messages/zh-Hans.catalog); pass --assets DIR or set KIOSK_ASSETS")]))
        }
        var errors: [ConfigurationError] = []
        var warnings: [ConfigurationError] = []
        var configuration = Configuration()
        var source = "built-in defaults"
        var lines = ConfigurationSourceLines()
        let path = configPath ?? (FileManager.default.fileExists(atPath: defaultConfigPath) ? defaultConfigPath : nil)
        if let path {
            let checked = ConfigurationParser.check(path: path)
            warnings = checked.warnings
            lines = checked.lines
            switch checked.result {
            case .success(let c): configuration = c; source = path
            case .failure(let e): errors += e.errors
            }
        }
        var catalogs = Catalogs([])
        let messages = assets + "/messages"
        switch CatalogParser.loadAll(directory: messages) {
        case .success(let c):
            catalogs = c
            errors += CatalogParser.compare(c, directory: messages)
            errors += missingKeys(configuration, c, lines: lines, configFile: path ?? "kiosk.conf", messages: messages)
        case .failure(let e): errors += e.errors
        }
        var keys = KeyMap.defaultTerminal
        var evdevKeys = KeyMap.defaultEvdev
        let keymapPath = assets + "/keymap.conf"
        if FileManager.default.fileExists(atPath: keymapPath) {
            switch KeyMap.load(path: keymapPath) {
            case .success(let maps): keys = maps["terminal"] ?? keys; evdevKeys = maps["evdev"] ?? evdevKeys
            case .failure(let e): errors += e.errors
            }
        }
        for station in configuration.stations {
            guard case .evemu(let recording)? = station.keypad else { continue }
            let line = lines.keypads[station.name] ?? 0
            do {
                let problems = try EvemuRecording.load(path: recording).problemSummary()
                if !problems.isEmpty {
                    warnings.append(ConfigurationError(file: path ?? "kiosk.conf", line: line, message:
                        "keypad = evemu:\(recording) of [station \(station.name)]: lines the replay will skip: " + problems.joined(separator: "; "),
                        severity: .warning))
                }
            } catch {
                errors.append(ConfigurationError(file: path ?? "kiosk.conf", line: line, message: "[station \(station.name)]: \(error)"))
            }
        }
        guard errors.isEmpty else { return .failure(ConfigurationErrors(errors: errors)) }
        var setup = KioskSetup(configuration: configuration, catalogs: catalogs, terminalKeys: keys, assets: assets, configSource: source)
        setup.evdevKeys = evdevKeys
        setup.warnings = warnings
        return .success(setup)
    }
}
