#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// How long a case may take, as kiosk.conf writes it (`resolve-ordinary = 30m`,
/// `resolve-serious = 6h`, `2d`): counted on the site's `WorkingCalendar`, where a day is one
/// working day's hours (24 h around the clock).
public struct DeadlineDuration: Equatable, Sendable, CustomStringConvertible {
    public enum Unit: String, Equatable, Sendable, CaseIterable {
        case minutes = "m", hours = "h", days = "d"
    }

    public var amount: Int
    public var unit: Unit

    public init(_ amount: Int, _ unit: Unit) { self.amount = amount; self.unit = unit }
    public static func minutes(_ n: Int) -> DeadlineDuration { DeadlineDuration(n, .minutes) }
    public static func hours(_ n: Int) -> DeadlineDuration { DeadlineDuration(n, .hours) }
    public static func days(_ n: Int) -> DeadlineDuration { DeadlineDuration(n, .days) }

    /// Counted seconds on `calendar`.
    public func seconds(on calendar: WorkingCalendar) -> Int {
        switch unit {
        case .minutes: amount * 60
        case .hours: amount * 3600
        case .days: amount * calendar.dayLength
        }
    }

    /// "30m", as written in kiosk.conf.
    public var description: String { "\(amount)\(unit.rawValue)" }

    /// Reads "30m", "6h", "2d" (a whole number and a unit); nil for anything else.
    public static func parse(_ text: String) -> DeadlineDuration? {
        guard let last = text.last, let unit = Unit(rawValue: String(last).lowercased()) else { return nil }
        let digits = text.dropLast().trimmingSpaces()
        guard !digits.isEmpty, digits.count <= 6, digits.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }),
              let n = Int(digits) else { return nil }
        return DeadlineDuration(n, unit)
    }
}

/// The promise a case makes when it opens: how serious it is, when the first reply is due and
/// when it must be resolved. Computed once, at the kiosk, when the case opens; the deadlines
/// travel in `case.opened` and nobody recomputes them ("the reference on the slip stays the
/// promise").
public enum CaseDeadlines {
    /// A visit marked unresolved, a 不满意 (4) rating, or any case of a complaint service
    /// (`complaint = yes`) is serious; 一般 (3) otherwise opens an ordinary one. Anything else that
    /// opens a case is treated as serious (the safer promise).
    public static func severity(rating: Int?, unresolved: Bool, complaint: Bool = false) -> CaseSeverity {
        !unresolved && !complaint && rating == 3 ? .ordinary : .serious
    }

    /// First reply by: the service's `reply-deadline` (hours, default 48) after `openedAt`,
    /// counted on the site's calendar in its time zone.
    public static func replyBy(service: ServiceConfig?, openedAt: Date, configuration: Configuration) -> Date {
        let seconds = (service?.replyDeadlineHours ?? 48) * 3600
        return configuration.workingCalendar.adding(seconds, to: openedAt, timeZone: configuration.zone)
    }

    /// Resolved by: the service's `resolve-ordinary` / `resolve-serious` (defaults 30m / 6h)
    /// after `openedAt`, counted on the site's calendar in its time zone.
    public static func resolveBy(service: ServiceConfig?, severity: CaseSeverity, openedAt: Date,
                                 configuration: Configuration) -> Date {
        let duration = (service ?? ServiceConfig.fallback).resolveWithin(severity)
        let calendar = configuration.workingCalendar
        return calendar.adding(duration.seconds(on: calendar), to: openedAt, timeZone: configuration.zone)
    }
}

extension ServiceConfig {
    /// The resolution deadline for a case of `severity` opened for this service.
    public func resolveWithin(_ severity: CaseSeverity) -> DeadlineDuration {
        switch severity {
        case .ordinary: resolveOrdinary
        case .serious: resolveSerious
        }
    }

    /// Deadlines for a service the configuration no longer lists: the defaults.
    static let fallback = ServiceConfig(id: "", key: 0, names: [:], prefix: "")
}
