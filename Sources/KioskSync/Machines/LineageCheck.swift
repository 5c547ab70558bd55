#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// # Is this kiosk's log the one the centre knows?
///
/// Pure. A kiosk whose state folder was replaced (a new disk, a deleted or copied
/// `kiosk.sqlite`) and that was started without `kioskctl restore --from-central` begins a new
/// log at #1 while the centre holds its earlier one: every batch it sends clashes (409
/// `seq-conflict`) and, worse, the day's ticket numbers start again at 001. The centre can never
/// hold an event of this kiosk above the last one the kiosk stored, so when it does the log was
/// replaced (or another kiosk uses this id) and the daemon must stop giving tickets until an
/// operator restores. The centre is asked (`GET /v1/events?after=LAST&limit=1`) once at start
/// while nothing of this log was ever acknowledged, and again after any seq conflict; an
/// unreachable centre is asked again every `retryInterval`.
public struct LineageCheck: Sendable {
    public enum Action: Equatable, Sendable {
        /// Ask the centre what it holds of this kiosk above the local log's last seq; call
        /// `answered` or `failed`.
        case ask
        /// The log was replaced: the daemon stops giving tickets and says this (once).
        case replaced(String)
    }

    public let retryInterval: TimeInterval
    private var askAt: Date?
    private var asking = false
    /// Why the log is not the centre's, once found (then nothing is asked again).
    public private(set) var replacement: String?

    /// `everAcknowledged`: the centre acknowledged some of this log before, so it is the one
    /// the centre knows (a later conflict still asks).
    public init(everAcknowledged: Bool, now: Date, retryInterval: TimeInterval) {
        self.retryInterval = retryInterval
        askAt = everAcknowledged ? nil : now
    }

    public var deadline: Date? { asking || replacement != nil ? nil : askAt }

    public mutating func tick(now: Date) -> [Action] {
        guard !asking, replacement == nil, let at = askAt, now >= at else { return [] }
        asking = true
        return [.ask]
    }

    /// The centre refused a batch with 409 `seq-conflict`: ask now whether the log was replaced.
    public mutating func conflictReported(now: Date) -> [Action] {
        guard replacement == nil else { return [] }
        if !asking { askAt = now }
        return tick(now: now)
    }

    /// The centre's acknowledgement and highest seq for `kiosk`, and the local log's last seq.
    public mutating func answered(kiosk: String, localLast: Int64, centreAcked: Int64, centreHighest: Int64) -> [Action] {
        asking = false
        askAt = nil
        let held = max(centreAcked, centreHighest)
        guard held > localLast else { return [] }
        let reason = """
            the centre holds events of kiosk \(kiosk) up to #\(held), but this kiosk's log ends at \
            #\(localLast): its state folder was replaced (a new disk, a deleted or copied kiosk.sqlite) or \
            another kiosk uses id \(kiosk). Ticket numbers would be given twice, so no ticket is given: \
            stop kioskd, run `kioskctl restore --from-central`, then start kioskd again \
            (if another kiosk uses this id, give this one its own id and token instead)
            """
        replacement = reason
        return [.replaced(reason)]
    }

    /// The centre could not be asked; ask again after `retryInterval`.
    public mutating func failed(now: Date) -> [Action] {
        asking = false
        askAt = now.addingTimeInterval(retryInterval)
        return []
    }
}
