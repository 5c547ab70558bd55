#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskProtocol

/// # The centre's case states, pulled down (schema v6)
///
/// `GET /v1/cases?after=N` answers the states of this site's cases changed after change number
/// N. A reply's states and its `next` are written in ONE transaction (synchronous=FULL), so a
/// kiosk stopped between the answer and the commit asks again from the old cursor and gets the
/// same states; one stopped after the commit asks from the new one. A state replaces the stored
/// one only when its `version` is not older, so a stale answer (an older page, a second pull
/// racing) never undoes a newer state, and the same state stored twice changes nothing.
extension EventStore {
    /// Stores a reply's states (only those not older than the stored ones) and moves the cursor
    /// to its `next` (never back), all or nothing; `asOf` (the kiosk's time of the pull) becomes
    /// the "as of" of the pulled states. Returns how many states were new or newer.
    @discardableResult
    public func storePulledCases(_ reply: CasesReply, asOf: Date) throws -> Int {
        try requireWritable()
        let doing = "storing the centre's case states"
        let pulledAt = timestamp(asOf)
        let encoder = WireEncoder()
        return try inTransaction(doing: doing) {
            var changed = 0
            for state in reply.cases {
                let json: String
                do {
                    json = String(decoding: try encoder.encode(state), as: UTF8.self)
                } catch {
                    throw StorageError(
                        .invalidEvent, path: path, message: "cannot encode the state of case \(state.ref): \(error)",
                        hint: "this is a kioskd bug; please report it with the log")
                }
                try conn.run(
                    """
                    INSERT INTO pulled_cases (ref, version, change, state, pulled_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (ref) DO UPDATE SET version = excluded.version, change = excluded.change,
                        state = excluded.state, pulled_at = excluded.pulled_at
                    WHERE excluded.version >= pulled_cases.version
                    """, [.text(state.ref), .int(Int64(state.version)), .int(reply.next), .text(json), .text(pulledAt)],
                    doing: "\(doing) (case \(state.ref))")
                changed += conn.changes
            }
            try conn.run(
                "UPDATE sync_state SET cases_after = MAX(cases_after, ?), cases_pulled_at = ? WHERE id = 1",
                [.int(reply.next), .text(pulledAt)], doing: doing)
            return changed
        }
    }

    /// Every pulled case state, by reference.
    public func pulledCases() throws -> [CaseState] {
        var rows: [(String, String)] = []
        try conn.query("SELECT ref, state FROM pulled_cases ORDER BY ref", doing: "reading the pulled case states") { r in
            rows.append((r.text(0) ?? "", r.text(1) ?? ""))
        }
        let decoder = JSONDecoder()
        return try rows.map { ref, json in
            do {
                return try decoder.decode(CaseState.self, from: Data(json.utf8))
            } catch {
                throw StorageError(
                    .corrupt, path: path, message: "the pulled state of case \(ref) cannot be read (\(error))",
                    hint: "stop kioskd and run `sqlite3 \(path) \"DELETE FROM pulled_cases; UPDATE sync_state SET cases_after = 0\"`: the next pull fetches every state again")
            }
        }
    }

    /// When the pulled states were last brought up to date (the kiosk's time of the last
    /// successful pull); nil when the centre was never asked.
    public func pulledCasesAsOf() throws -> Date? {
        date(try conn.scalarText("SELECT cases_pulled_at FROM sync_state WHERE id = 1", doing: "reading when cases were last pulled"))
    }

    /// The change number the next pull asks after (`GET /v1/cases?after=`).
    public func pulledCasesCursor() throws -> Int64 {
        try conn.scalarInt("SELECT cases_after FROM sync_state WHERE id = 1", doing: "reading the case pull cursor") ?? 0
    }
}
