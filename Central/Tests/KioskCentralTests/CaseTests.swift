import Foundation
import KioskCore
import KioskProtocol
import PostgresNIO
import Testing

@testable import KioskCentral

@Suite("Cases at the centre: exactly once, which wins, pull down (real PostgreSQL)", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct CaseTests {
    /// A morning at site s1: ticket A001 is served badly, rated 不满意, a case opens and the
    /// counter records the first reply.
    func morning(_ ref: String) -> [(Int64, KioskEvent)] {
        [
            (1, visitEvent(.ticketIssued, ticket: "A001", minutes: -30) { $0.service = "repairs" }),
            (2, visitEvent(.ticketCalled, ticket: "A001", minutes: -18) { $0.counter = 2; $0.staff = "1002" }),
            (3, visitEvent(.serviceFinished, ticket: "A001", minutes: -2) { $0.counter = 2; $0.staff = "1002" }),
            (4, visitEvent(.ratingRecorded, ticket: "A001", minutes: -1) { $0.rating = 4; $0.counter = 2 }),
            (5, visitEvent(.ratingReason, ticket: "A001", minutes: -1) { $0.reason = "reason.slow"; $0.counter = 2 }),
            (6, openedEvent(ref)),
            (7, caseEvent(.caseContacted, ref, minutes: 3) { $0.channel = .counter; $0.staff = "1002"; $0.station = "counter-2"; $0.note = "apologised" }),
        ]
    }

    @Test func kioskCaseEventsAreFoldedOnceWhateverIsSentAgain() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            let k2 = try await c.register("k2", site: "s1")
            let k3 = try await c.register("k3", site: "s2")
            let batch = morning("R20261203-001")
            try await c.upload(k1, kiosk: "k1", batch)
            // The answer was lost: the same batch again, then a batch overlapping it.
            let again = try await c.upload(k1, kiosk: "k1", batch)
            #expect(again["duplicates"] as? Int == 7)
            try await c.upload(k1, kiosk: "k1", Array(batch.suffix(2)) + [(8, caseEvent(.caseAssigned, "R20261203-001", minutes: 5) { $0.assignee = "wang"; $0.staff = "1002" })])
            // Another kiosk of the site opens its own case; a kiosk of site s2 uses the same reference.
            try await c.upload(k2, kiosk: "k2", [(1, openedEvent("R20261203-002", minutes: 10, ticket: "B001"))])
            try await c.upload(k3, kiosk: "k3", [(1, openedEvent("R20261203-001", minutes: 20, ticket: "C001"))])

            let s = try #require(try await c.store.findCase(site: "s1", ref: "R20261203-001"))
            #expect(s.version == 3)  // opened, contacted, assigned: each once
            #expect(s.firstReplyAt == caseMorning.addingTimeInterval(180))
            #expect(s.firstReplyChannel == "counter")
            #expect(s.assignee == "wang")
            #expect(s.status == .handling)
            #expect(s.site == "s1" && s.kiosk == "k1")
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE site_id = 's1' AND ref = 'R20261203-001'") == 3)
            let other = try #require(try await c.store.findCase(site: "s2", ref: "R20261203-001"))
            #expect(other.kiosk == "k3" && other.ticket == "C001" && other.version == 1)
            #expect(try await c.store.findCases(ref: "20261203001", sites: nil).map(\.site) == ["s1", "s2"])
            #expect(try await c.store.findCases(ref: "r20261203-001", sites: ["s2"]).map(\.site) == ["s2"])

            // The case page: the timeline in the centre's order with who and where, and the visit.
            let detail = try #require(try await c.store.caseDetail(site: "s1", ref: "R20261203-001"))
            #expect(detail.timeline.map(\.type) == ["case.opened", "case.contacted", "case.assigned"])
            #expect(detail.timeline.map(\.source) == ["kiosk:k1:6", "kiosk:k1:7", "kiosk:k1:8"])
            #expect(detail.timeline[1].actor == "1002" && detail.timeline[1].station == "counter-2")
            #expect(detail.timeline[1].event?.note == "apologised")
            let visit = try #require(detail.visit)
            #expect(visit.service == "repairs" && visit.counter == 2 && visit.staff == "1002")
            #expect(visit.waitSeconds == 720.0)
            #expect(visit.rating == 4 && visit.reason == "reason.slow")
            #expect(visit.events.count == 5)
            #expect(try await c.store.caseDetail(site: "s2", ref: "R20261203-002") == nil)
        }
    }

    @Test func aCaseEventBeforeItsOpeningIsKeptAndAppliedWhenTheOpeningArrives() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            // seq 2 arrives before seq 1 (a lost batch resent later): kept, applied on opening.
            try await c.upload(k1, kiosk: "k1", [(2, caseEvent(.caseContacted, "R20261203-009", minutes: 4) { $0.channel = .phone })])
            #expect(try await c.store.findCase(site: "s1", ref: "R20261203-009") == nil)
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE NOT applied") == 1)
            try await c.upload(k1, kiosk: "k1", [(1, openedEvent("R20261203-009"))])
            let s = try #require(try await c.store.findCase(site: "s1", ref: "R20261203-009"))
            #expect(s.firstReplyChannel == "phone")
            #expect(s.version == 2)
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE NOT applied") == 0)
        }
    }

    @Test func aDeskActIsAppliedOncePerRequestIDAndWakesTheSitesKiosks() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            _ = try await c.register("k2", site: "s1")
            _ = try await c.register("k9", site: "s9")
            try await c.upload(k1, kiosk: "k1", [(1, openedEvent("R20261203-001"))])
            let act = deskAct(.caseContacted, minutes: 30) { $0.channel = .phone; $0.note = "called back" }
            let first = try await c.store.act(site: "s1", ref: "R20261203-001", event: act, actor: "wang", requestID: "form-1")
            guard case .applied(let s) = first else { Issue.record("first submit: \(first)"); return }
            #expect(s.firstReplyAt == caseMorning.addingTimeInterval(1800) && s.status == .handling)
            // A double submit of the same form: nothing new.
            let second = try await c.store.act(site: "s1", ref: "R20261203-001", event: act, actor: "wang", requestID: "form-1")
            #expect(second == .alreadyApplied(s))
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE source = 'desk:form-1'") == 1)
            let timeline = try #require(try await c.store.caseDetail(site: "s1", ref: "R20261203-001")).timeline
            #expect(timeline.last?.actor == "wang" && timeline.last?.station == "desk")
            // The site's kiosks (and only they) got one sync each.
            #expect(try await c.scalar("SELECT count(*) FROM commands WHERE type = 'sync' AND kiosk_id IN ('k1', 'k2')") == 2)
            #expect(try await c.scalar("SELECT count(*) FROM commands WHERE kiosk_id = 'k9'") == 0)

            // Acts that make no sense are refused and change nothing.
            let resolveWithoutCause = deskAct(.caseResolved, minutes: 40) { $0.note = "fixed" }
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s1", ref: "R20261203-001", event: resolveWithoutCause, actor: "wang", requestID: "form-2") } == "no-root-cause")
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s1", ref: "R20261203-001", event: deskAct(.caseClosed, minutes: 41) { $0.satisfied = true }, actor: "wang", requestID: "form-3") } == "not-resolved")
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s1", ref: "R20261203-404", event: act, actor: "wang", requestID: "form-4") } == "no-such-case")
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s9", ref: "R20261203-001", event: act, actor: "wang", requestID: "form-5") } == "no-such-case")
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s1", ref: "R20261203-001", event: deskAct(.caseEscalated, minutes: 42) { $0.level = "reply.near" }, actor: "wang", requestID: "form-6") } == "not-a-desk-act")
            #expect(try await c.store.findCase(site: "s1", ref: "R20261203-001")?.version == 2)
            // A root cause outside the list is stored as given; then the verdict closes it.
            let resolved = try await c.store.act(
                site: "s1", ref: "R20261203-001", event: deskAct(.caseResolved, minutes: 50) { $0.rootCause = "cause.pipes"; $0.note = "valve" },
                actor: "wang", requestID: "form-7")
            #expect(resolved.state.status == .resolved && resolved.state.rootCause == "cause.pipes")
            let closed = try await c.store.act(
                site: "s1", ref: "R20261203-001", event: deskAct(.caseClosed, minutes: 60) { $0.satisfied = true }, actor: "li", requestID: "form-8")
            #expect(closed.state.status == .closed && closed.state.satisfied == true)
            #expect(await apiErrorCode { _ = try await c.store.act(site: "s1", ref: "R20261203-001", event: deskAct(.caseAssigned, minutes: 61) { $0.assignee = "li" }, actor: "li", requestID: "form-9") } == "case-closed")
        }
    }

    @Test func concurrentActsFromTwoConnectionsAreSerialisedAndTheFoldRulesHold() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            let refs = (1...8).map { String(format: "R20261203-%03d", $0) }
            try await c.upload(k1, kiosk: "k1", refs.enumerated().map { (Int64($0.offset + 1), openedEvent($0.element)) })
            try await c.withSecondProcess { other in
                for ref in refs {
                    // Two handlers reply at once (the later one by its time submits first, maybe),
                    // then two resolve at once: one wins, the other is told it is already resolved.
                    async let a = c.store.act(site: "s1", ref: ref, event: deskAct(.caseContacted, minutes: 20) { $0.channel = .phone }, actor: "wang", requestID: "\(ref)-a")
                    async let b = other.act(site: "s1", ref: ref, event: deskAct(.caseContacted, minutes: 10) { $0.channel = .sms }, actor: "li", requestID: "\(ref)-b")
                    _ = try await (a, b)
                    async let x = apiErrorCode { _ = try await c.store.act(site: "s1", ref: ref, event: deskAct(.caseResolved, minutes: 30) { $0.rootCause = "cause.staff" }, actor: "wang", requestID: "\(ref)-x") }
                    async let y = apiErrorCode { _ = try await other.act(site: "s1", ref: ref, event: deskAct(.caseResolved, minutes: 31) { $0.rootCause = "cause.process" }, actor: "li", requestID: "\(ref)-y") }
                    let outcomes = await [x, y]
                    #expect(outcomes.filter { $0 == nil }.count == 1, "\(ref): \(outcomes)")
                    #expect(outcomes.contains("already-resolved"), "\(ref): \(outcomes)")
                    let s = try #require(try await c.store.findCase(site: "s1", ref: ref))
                    // The earliest reply counts whichever was applied first.
                    #expect(s.firstReplyAt == caseMorning.addingTimeInterval(600) && s.firstReplyChannel == "sms")
                    #expect(s.status == .resolved && s.rootCause != nil)
                    // The state stored is the fold of the timeline in the centre's order.
                    let timeline = try #require(try await c.store.caseDetail(site: "s1", ref: ref)).timeline
                    #expect(CaseState.fold(timeline.compactMap(\.event)).map { var f = $0; f.site = "s1"; f.kiosk = "k1"; return f } == s)
                }
            }
        }
    }

    @Test func casesArePulledByTheirOwnSiteOnlyAndPaged() async throws {
        try await withLiveCentral { c in
            let a = try await c.register("ka", site: "sa")
            let b = try await c.register("kb", site: "sb")
            try await c.upload(a, kiosk: "ka", (1...5).map { (Int64($0), openedEvent(String(format: "R20261203-%03d", $0))) })
            try await c.upload(b, kiosk: "kb", (1...2).map { (Int64($0), openedEvent(String(format: "R20261203-%03d", $0))) })
            // Site A's kiosk pages through its own five, two at a time.
            var after: Int64 = 0
            var seen: [CaseState] = []
            var pages = 0
            while true {
                let r = try await c.pull(a, after: after, limit: 2)
                #expect(r.status == 200)
                let reply = try #require(r.reply)
                seen += reply.cases
                pages += 1
                #expect(reply.next > after || reply.cases.isEmpty)
                after = reply.next
                if !reply.more { break }
                #expect(reply.cases.count == 2)
            }
            #expect(pages == 3)
            #expect(seen.count == 5 && Set(seen.map(\.site)) == ["sa"])
            // Site B's kiosk never sees site A's cases, though the references are the same.
            let rb = try #require(try await c.pull(b, after: 0).reply)
            #expect(rb.cases.count == 2 && rb.cases.allSatisfy { $0.site == "sb" && $0.kiosk == "kb" })
            // Nothing new: the same cursor, nothing more.
            let idle = try #require(try await c.pull(a, after: after).reply)
            #expect(idle.cases.isEmpty && idle.next == after && !idle.more)
            // A desk act on one of site A's cases: only that state comes down next, newer.
            _ = try await c.store.act(site: "sa", ref: "R20261203-003", event: deskAct(.caseAssigned, minutes: 5) { $0.assignee = "wang" }, actor: "zhao", requestID: "f1")
            let changed = try #require(try await c.pull(a, after: after).reply)
            #expect(changed.cases.map(\.ref) == ["R20261203-003"] && changed.cases[0].version == 2 && changed.cases[0].assignee == "wang")
            #expect(try #require(try await c.pull(b, after: rb.next).reply).cases.isEmpty)
            // A kiosk of site B cannot change site A's case of the same reference: its events
            // belong to its own site (kept there, waiting for an opening that never comes).
            try await c.upload(b, kiosk: "kb", [(3, caseEvent(.caseResolved, "R20261203-004", minutes: 9) { $0.rootCause = "cause.other" })])
            #expect(try await c.store.findCase(site: "sa", ref: "R20261203-004")?.status == .received)
            #expect(try #require(try await c.pull(a, after: changed.next).reply).cases.isEmpty)
            // Admin tokens and nonsense cursors are refused.
            let admin = try await c.call("GET", "/v1/cases?after=0", token: c.adminToken)
            #expect(admin.status == 403 && admin.json["error"] as? String == "kiosk-only")
            let bad = try await c.call("GET", "/v1/cases?after=-3", token: a)
            #expect(bad.status == 400 && bad.json["error"] as? String == "bad-after")
        }
    }

    @Test func theDesksListIsSortedByTheNearestDeadlineWithinTheSitesAllowed() async throws {
        try await withLiveCentral { c in
            let a = try await c.register("ka", site: "sa")
            let b = try await c.register("kb", site: "sb")
            try await c.upload(a, kiosk: "ka", [
                (1, openedEvent("R20261203-001", resolveMinutes: 360)),
                (2, openedEvent("R20261203-002", resolveMinutes: 30)),
                (3, openedEvent("R20261203-003", resolveMinutes: 120)),
            ])
            try await c.upload(b, kiosk: "kb", [(1, openedEvent("R20261203-001", resolveMinutes: 10))])
            let all = try await c.store.openCases(sites: nil, assignee: nil)
            #expect(all.map { "\($0.state.site!) \($0.state.ref)" } == ["sb R20261203-001", "sa R20261203-002", "sa R20261203-003", "sa R20261203-001"])
            let onlyA = try await c.store.openCases(sites: ["sa"], assignee: nil)
            #expect(onlyA.map(\.state.ref) == ["R20261203-002", "R20261203-003", "R20261203-001"])
            #expect(onlyA[0].dueKind == "resolve" && onlyA[0].dueAt == caseMorning.addingTimeInterval(1800))
            // 25 minutes in: the 30-minute case is at risk (past 75 %), at 31 overdue.
            #expect(onlyA[0].urgency(now: caseMorning.addingTimeInterval(25 * 60)) == .atRisk)
            #expect(onlyA[0].urgency(now: caseMorning.addingTimeInterval(31 * 60)) == .overdue)
            #expect(onlyA[1].urgency(now: caseMorning.addingTimeInterval(31 * 60)) == .onTime)
            _ = try await c.store.act(site: "sa", ref: "R20261203-003", event: deskAct(.caseAssigned, minutes: 1) { $0.assignee = "wang" }, actor: "zhao", requestID: "f1")
            #expect(try await c.store.openCases(sites: ["sa"], assignee: "wang").map(\.state.ref) == ["R20261203-003"])
            _ = try await c.store.act(site: "sa", ref: "R20261203-003", event: deskAct(.caseResolved, minutes: 2) { $0.rootCause = "cause.staff" }, actor: "wang", requestID: "f2")
            #expect(try await c.store.openCases(sites: ["sa"], assignee: nil).map(\.state.ref) == ["R20261203-002", "R20261203-001"])
            #expect(try await c.store.openCases(sites: ["sa"], assignee: nil, includeResolved: true).count == 3)
            #expect(try await c.store.caseStates(sites: ["sa"], from: caseDay, to: caseDay).count == 3)
        }
    }
}
