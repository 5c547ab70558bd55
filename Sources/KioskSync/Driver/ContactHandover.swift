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

/// Residents' call-back numbers (issue 15) go to the centre at the start of every case pull —
/// after a caught-up drain, so their cases' events are there first — and are erased here
/// exactly for the references the centre says it keeps. A failure never stops the pull: the
/// numbers stay in `case_contacts` and go with the next pull; the first failure of a series is
/// logged (without any number), and the recovery.
extension SyncWorker {
    func handOverContacts(store: EventStore) {
        let pending: [CaseContact]
        do {
            pending = try store.pendingContacts(limit: 100)
        } catch {
            return noteContactFailure("cannot read the call-back numbers to send: \(error)")
        }
        guard !pending.isEmpty else { return }
        do {
            let reply = try makeClient().sendContacts(ContactsUpload(contacts: pending))
            let sent = Set(pending.map(\.ref))
            try store.contactsDelivered(reply.stored.filter { sent.contains($0) }, at: clock.now())
            if contactsFailing { log("sync: the centre takes call-back numbers again") }
            contactsFailing = false
        } catch let error as SyncError {
            noteContactFailure("the centre did not take \(pending.count) call-back number(s), kept here to send again: \(error.message)")
        } catch {
            noteContactFailure("call-back numbers sent but not erased here (they will be sent again): \(error)")
        }
    }

    private func noteContactFailure(_ message: String) {
        if !contactsFailing { log("sync: \(message)") }
        contactsFailing = true
    }
}
