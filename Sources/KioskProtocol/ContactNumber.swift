#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a handler's call-back to the resident went (`case.callback`, recorded at the desk).
public enum CallbackOutcome: String, Codable, CaseIterable, Sendable {
    case reached
    case notReached = "not-reached"
    /// The resident asked to be called back later.
    case later
}

/// A resident's mobile number for the call-back of a case (issue 15), and the one way it is
/// shown to anybody who is not its case's handler: masked ("138****5678"). Events, logs, reports,
/// screens and the slip only ever carry the masked form; the full number travels once from the
/// kiosk to the centre (`ContactsUpload`) and is kept there encrypted, with the case.
public enum ContactNumber {
    /// The digits a mainland mobile number has.
    public static let length = 11

    /// A plausible mainland mobile number: 11 digits, the first a 1.
    public static func isPlausibleMobile(_ number: String) -> Bool {
        number.count == length && number.first == "1" && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// "13812345678" → "138****5678". Anything else (a short or odd number) keeps only its last
    /// four characters, the rest as stars, so a masked form never reveals more than four digits
    /// beyond the usual three of the operator prefix.
    public static func masked(_ number: String) -> String {
        if isPlausibleMobile(number) { return number.prefix(3) + "****" + number.suffix(4) }
        return typing(number)
    }

    /// What the pad shows while the number is typed: every digit but the last four as a star.
    public static func typing(_ digits: String) -> String {
        String(repeating: "*", count: max(0, digits.count - 4)) + digits.suffix(4)
    }
}

/// The contact a resident gave when their case opened, as the kiosk hands it to the centre
/// (`POST /v1/contacts`): the full number, exactly once; the kiosk erases its copy when the
/// centre acknowledges it. `consent` is the catalog key of the sentence the resident was shown
/// and `consentVersion` its version, so the centre knows what was agreed to.
public struct CaseContact: Codable, Equatable, Sendable {
    /// The case reference ("R20261203-001"); the site is the kiosk token's.
    public var ref: String
    public var number: String
    public var masked: String
    public var consent: String
    public var consentVersion: String
    /// When it was given, ISO 8601 (the kiosk's clock).
    public var givenAt: String

    public init(ref: String, number: String, consent: String, consentVersion: String, givenAt: String) {
        self.ref = ref; self.number = number; self.masked = ContactNumber.masked(number)
        self.consent = consent; self.consentVersion = consentVersion; self.givenAt = givenAt
    }

    /// Never prints the number (a `print`, a log line or a test failure shows the masked form).
    public var description: String { "\(ref) \(masked)" }
}

extension CaseContact: CustomStringConvertible, CustomDebugStringConvertible {
    public var debugDescription: String { description }
}

/// `POST /v1/contacts`: contacts the kiosk holds that the centre has not acknowledged.
public struct ContactsUpload: Codable, Equatable, Sendable {
    public var contacts: [CaseContact]
    public init(contacts: [CaseContact]) { self.contacts = contacts }
}

/// The centre's answer: the references whose contact it now keeps (stored now or before); the
/// kiosk erases exactly these. A centre without its contact key answers an error instead, and
/// the kiosk keeps the numbers until it can take them.
public struct ContactsReply: Codable, Equatable, Sendable {
    public var stored: [String]
    public var serverTime: String
    public init(stored: [String], serverTime: String) { self.stored = stored; self.serverTime = serverTime }
}

/// `POST /v1/admin/sites/{site}/cases/{ref}/erase-contact`: `erased` false when the number was
/// already gone (erased before, on request or after its retention).
public struct EraseContactReply: Codable, Equatable, Sendable {
    public var site: String
    public var ref: String
    public var masked: String
    public var erased: Bool
    public init(site: String, ref: String, masked: String, erased: Bool) {
        self.site = site; self.ref = ref; self.masked = masked; self.erased = erased
    }
}
