/// What one notification on the channel `kiosk_central` says. The triggers of migration 11 send
/// them when a transaction commits, so every centre process on the database hears of a change
/// made by any other (or by `psql`) without asking the database again.
public enum CentralSignal: Sendable, Equatable {
    /// A command was queued for this kiosk: its waiting long-poll should look.
    case command(kiosk: String)
    /// This token (its SHA-256, hex) was revoked: forget it.
    case tokenRevoked(hash: String)
    /// A configuration was published for this site.
    case config(site: String)
    /// A case of this site was stored or changed.
    case cases(site: String)

    /// The one channel every process listens on.
    public static let channel = "kiosk_central"

    /// Parses a notification's payload ("command kiosk-1", "token 3fa…", "config site-a",
    /// "cases site-a"); nil for anything else (a newer version's signal is ignored).
    public init?(payload: String) {
        guard let space = payload.firstIndex(of: " ") else { return nil }
        let kind = payload[..<space], value = String(payload[payload.index(after: space)...])
        guard !value.isEmpty else { return nil }
        switch kind {
        case "command": self = .command(kiosk: value)
        case "token": self = .tokenRevoked(hash: value)
        case "config": self = .config(site: value)
        case "cases": self = .cases(site: value)
        default: return nil
        }
    }
}
