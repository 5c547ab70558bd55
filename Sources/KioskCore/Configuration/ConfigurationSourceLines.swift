/// Where `kiosk.conf` names things that live in other files (catalog keys, evemu recordings),
/// so a problem found outside the parser (a catalog that lacks a `reasons` key, a recording that
/// cannot be read) is reported on the line of `kiosk.conf` that holds the mistake, not on the
/// catalogs that are fine.
public struct ConfigurationSourceLines: Sendable, Equatable {
    /// The line of `reasons =` in `[kiosk]` (0: not written, the defaults apply).
    public var reasons = 0
    /// A `[festival]` message key → the line of its first date.
    public var festivals: [String: Int] = [:]
    /// A `[station NAME]` → the line of its `keypad =`.
    public var keypads: [String: Int] = [:]

    public init() {}
}
