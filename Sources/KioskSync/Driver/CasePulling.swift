#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCentralClient
import KioskProtocol
import KioskStorage

/// The driver's part of `CasePull`: fetch a page, store it with its cursor in one transaction,
/// then hand the states to the daemon's loop, in that order, so what the kiosk shows is always
/// what a restart would find on disk.
extension SyncWorker {
    /// A drain of the outbox just ended: what the pull machine makes of it.
    func pullAfterDrain() -> [CasePull.Action] {
        guard var machine = cases else { return [] }
        defer { cases = machine }
        let now = clock.now()
        if pullAsked {
            pullAsked = false
            return machine.syncRequested(now: now)
        }
        return outbox?.isCaughtUp == true ? machine.outboxCaughtUp(now: now) : []
    }

    /// Carries out one action of the case pull and feeds its result to the machine.
    func pullStep(_ action: CasePull.Action, machine: inout CasePull, store: EventStore) -> [CasePull.Action] {
        switch action {
        case .fetch(let after, let limit):
            handOverContacts(store: store)
            do {
                let reply = try makeClient().fetchCases(after: after, limit: limit)
                return machine.fetched(reply, now: clock.now())
            } catch {
                return machine.failed(error.message, transient: error.isTransient, now: clock.now(), jitter: clock.jitter())
            }
        case .store(let reply):
            let asOf = clock.now()
            do {
                try store.storePulledCases(reply, asOf: asOf)
            } catch {
                return machine.failed("\(error)", transient: true, now: asOf, jitter: clock.jitter())
            }
            deliver(.casesPulled(reply.cases, asOf: asOf))
            return machine.stored(reply, now: clock.now())
        case .log(let line):
            log(line)
            return []
        }
    }
}
