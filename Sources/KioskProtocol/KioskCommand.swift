/// # IT's commands, typed
///
/// On the wire a command is `Command {id, type, argument}` (docs/openapi.yaml); everywhere else
/// it is a `KioskCommand`. The centre refuses what does not parse before queueing it; the kiosk
/// parses what it is handed and acknowledges anything it cannot parse as failed ("update the
/// kiosk"), so a newer centre never wedges an older kiosk.
///
/// A new command type is one case here (its wire name in `Kind`, its argument in
/// `init(type:argument:)`) and one handler on the kiosk (`CommandPoller` for commands the sync
/// worker carries out, `CentralSync.perform` for those that change the kiosk's state).
public enum KioskCommand: Equatable, Sendable {
    /// Send the outbox now; acknowledged when the drain it started ends.
    case sync
    /// Fetch and apply the site's newest published configuration.
    case reloadConfig
    /// Change the weather of the farewells, as if staff had pressed the key.
    case setWeather(Weather)

    /// The wire names (`type`), in the order messages list them.
    public enum Kind: String, CaseIterable, Sendable {
        case sync
        case reloadConfig = "reload-config"
        case setWeather = "set-weather"
    }

    public var kind: Kind {
        switch self {
        case .sync: .sync
        case .reloadConfig: .reloadConfig
        case .setWeather: .setWeather
        }
    }

    /// The wire `argument`.
    public var argument: String? {
        switch self {
        case .sync, .reloadConfig: nil
        case .setWeather(let weather): weather.rawValue
        }
    }

    /// Parses the wire form; throws what to tell IT (or the centre) when it does not parse.
    public init(type: String, argument: String?) throws(CommandRefusal) {
        guard let kind = Kind(rawValue: type) else {
            throw CommandRefusal(
                .unknownCommand, "unknown command '\(type)'",
                hint: "use \(Self.sentence(Kind.allCases.map(\.rawValue), or: "or"))")
        }
        switch kind {
        case .sync: self = .sync
        case .reloadConfig: self = .reloadConfig
        case .setWeather:
            guard let weather = argument.flatMap(Weather.init(rawValue:)) else {
                throw CommandRefusal(
                    .badArgument, "set-weather needs \(Self.sentence(Weather.allCases.map(\.rawValue), or: "or"))",
                    hint: "pass --argument rain")
            }
            self = .setWeather(weather)
        }
    }

    /// "a, b or c".
    public static func sentence(_ words: [String], or conjunction: String) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " \(conjunction) " + words[words.count - 1]
    }
}

/// The weather of the farewells (kiosk.conf `weather =`, `kioskctl weather`, IT's `set-weather`).
/// The one list of weathers: KioskCore names it `Weather` too.
public enum Weather: String, Equatable, Sendable, CaseIterable, Codable {
    case clear, rain, hot, cold
}

extension Command {
    /// The wire form of `command` under `id`.
    public init(id: Int64, _ command: KioskCommand) {
        self.init(id: id, type: command.kind.rawValue, argument: command.argument)
    }

    /// The typed command, or why this kiosk cannot carry it out.
    public var parsed: Result<KioskCommand, CommandRefusal> {
        Result { () throws(CommandRefusal) in try KioskCommand(type: type, argument: argument) }
    }
}

/// A command that does not parse: a stable code (the centre's `error`), what is wrong, and
/// what to do.
public struct CommandRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unknownCommand = "unknown-command"
        case badArgument = "bad-argument"
    }

    public var code: Code
    public var message: String
    public var hint: String

    public init(_ code: Code, _ message: String, hint: String) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message); \(hint)" }
}
