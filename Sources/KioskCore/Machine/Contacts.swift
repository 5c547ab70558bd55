#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskProtocol

public typealias CaseContact = KioskProtocol.CaseContact
public typealias ContactNumber = KioskProtocol.ContactNumber

/// The consent sentence the pad shows with its question, as a catalog key and a version: both
/// are stored with a number given (`case.contact-given`, and the centre's record). Change the
/// sentence in the catalogs → bump `version`, so every stored number says what was agreed to.
public enum ContactConsent {
    public static let key = "pad.contact.consent"
    public static let version = "2026-12-03"
}

/// A call-back number for a case (issue 15). With `ask-contact = yes` the pad asks for it when
/// a case opens there (after the reason), or after the rating of a visit staff marked
/// unresolved: digits shown masked except the last four, Backspace corrects, Enter gives a
/// plausible mobile number (11 digits, starting with 1) or, with nothing typed, skips. Staff
/// may type it on the same keypad when the resident prefers to say it. The number goes out in
/// `KioskOutput.contacts` only; the event carries the masked form.
extension KioskMachine {
    /// Asks for the number of the case of `label` at counter `n`, once per case.
    mutating func askContact(ticket label: String, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard configuration.askContact, let t = state.tickets[label], let ref = t.caseRef,
              !(caseEvents[ref] ?? []).contains(where: { $0.type == .caseContactAsked }) else { return }
        var e = event(.caseContactAsked, now, counter: n, ticket: t)
        e.caseRef = ref
        e.consent = ContactConsent.key
        e.consentVersion = ContactConsent.version
        counterUI[n]?.contactDigits = ""
        counterUI[n]?.contactTypedAt = nil
        record(e, into: &out)
    }

    /// Offers a key to a pad asking for a number; true when it took it.
    mutating func contactTakes(_ key: Key, counter n: Int, now: Date, into out: inout KioskOutput) -> Bool {
        guard case .awaitingContact(let label, let ref, _) = state.counters[n]?.pad, var ui = counterUI[n] else { return false }
        ui.contactTypedAt = now
        switch key {
        case .digit(let d):
            if ui.contactDigits.count < ContactNumber.length { ui.contactDigits += String(d) }
            ui.notice = nil
        case .backspace:
            ui.contactDigits = String(ui.contactDigits.dropLast())
            ui.notice = nil
        case .enter where ui.contactDigits.isEmpty:
            counterUI[n] = ui
            endContact(ticket: label, ref: ref, counter: n, number: nil, why: "skipped", now: now, into: &out)
            return true
        case .enter where ContactNumber.isPlausibleMobile(ui.contactDigits):
            counterUI[n] = ui
            endContact(ticket: label, ref: ref, counter: n, number: ui.contactDigits, why: nil, now: now, into: &out)
            return true
        case .enter:
            ui.notice = ("pad.contact.invalid", [:], now)
        default:
            break  // other keys mean nothing here; staff act after the question
        }
        counterUI[n] = ui
        return true
    }

    /// Nobody finished the number: skipped after `contact-seconds` without a key.
    mutating func moveContactOn(counter n: Int, since: Date, now: Date, into out: inout KioskOutput) {
        guard case .awaitingContact(let label, let ref, _) = state.counters[n]?.pad else { return }
        let last = max(since, counterUI[n]?.contactTypedAt ?? since)
        guard elapsed(last, now) >= configuration.contactSeconds else { return }
        endContact(ticket: label, ref: ref, counter: n, number: nil, why: "timeout", now: now, into: &out)
    }

    private mutating func endContact(ticket label: String, ref: String, counter n: Int, number: String?, why: String?,
                                     now: Date, into out: inout KioskOutput) {
        counterUI[n]?.contactDigits = ""
        counterUI[n]?.contactTypedAt = nil
        counterUI[n]?.notice = nil
        var e = event(number == nil ? .caseContactSkipped : .caseContactGiven, now, counter: n, ticket: state.tickets[label])
        e.caseRef = ref
        if let number {
            let contact = CaseContact(ref: ref, number: number, consent: ContactConsent.key,
                                      consentVersion: ContactConsent.version, givenAt: WireTime.string(now))
            e.contact = contact.masked
            e.consent = contact.consent
            e.consentVersion = contact.consentVersion
            out.contacts.append(contact)
        } else {
            e.detail = why
        }
        record(e, into: &out)
    }

    /// The masked number given for case `ref` here, if any (the slip, the commitment).
    func maskedContact(of ref: String) -> String? {
        caseEvents[ref]?.last { $0.type == .caseContactGiven }?.contact
    }
}
