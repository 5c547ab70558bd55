import Foundation
import KioskCore
import PostgresNIO

/// What came of a desk action.
enum DeskActResult: Sendable {
    case applied
    /// The form's request id was used before: the action was applied then, not again.
    case duplicate
}

/// The desk's calls into the centre's case store (`Store/CaseDesk.swift`, migration 8), in one
/// place: the desk itself keeps no case data. Every call is scoped by the signed-in person's
/// sites by the caller (another site's case is "not found").
extension CentralStore {
    /// Every case of these sites (nil: every site), open or not: figures and search.
    func deskCases(sites: [String]?) async throws -> [CaseState] {
        try await caseStates(sites: sites, from: nil, to: nil)
    }

    /// Cases still to be worked on (received, handling, or resolved and waiting for the
    /// resident's verdict), of one assignee when given, nearest deadline first.
    func deskOpenCases(sites: [String]?, assignee: String?) async throws -> [CaseState] {
        try await openCases(sites: sites, assignee: assignee, limit: 1000, includeResolved: true).map(\.state)
    }

    /// Applies a desk action exactly once (the request id is the form's one-time token). A
    /// refusal of the case store (a state that does not allow it) becomes a desk page.
    func deskAct(site: String, ref: String, event: KioskEvent, actor: String, requestId: String, title: String) async throws -> DeskActResult {
        do {
            switch try await act(site: site, ref: ref, event: event, actor: actor, requestID: requestId) {
            case .applied: return .applied
            case .alreadyApplied: return .duplicate
            }
        } catch let e as APIError {
            throw DeskRefusal(status: e.status, title: title, message: e.reply.message + ". " + e.reply.hint)
        }
    }
}
