import Foundation
import KioskCore
import KioskProtocol
import PostgresNIO
import Testing

@testable import KioskCentral

@Suite("Case escalation thresholds (pure)")
struct CaseEscalationRuleTests {
    func state(resolveMinutes: Double = 30) -> CaseState {
        CaseState(opened: openedEvent("R20261203-001", resolveMinutes: resolveMinutes), site: "s1", kiosk: "k1")!
    }

    @Test func thresholdsAreAtTheShareAndAtEachUnmetDeadline() {
        var s = state()
        let at = { (m: Double) in caseMorning.addingTimeInterval(m * 60) }
        #expect(CaseEscalations.thresholds(s).map(\.level) == ["resolve.near", "resolve.overdue", "reply.near", "reply.overdue"])
        #expect(CaseEscalations.thresholds(s).map(\.at) == [at(22.5), at(30), at(36 * 60), at(48 * 60)])
        #expect(CaseEscalations.due(s, now: at(22)).isEmpty)
        #expect(CaseEscalations.next(s) == at(22.5))
        // Nobody looked for 40 minutes: both resolve thresholds are due, near first.
        #expect(CaseEscalations.due(s, now: at(40)).map(\.level) == ["resolve.near", "resolve.overdue"])
        #expect(CaseEscalations.due(s, share: 0.5, now: at(16)).map(\.level) == ["resolve.near"])
        s.escalations = ["resolve.near", "resolve.overdue"]
        #expect(CaseEscalations.next(s) == at(36 * 60))
        // A first reply ends the reply deadline's escalations; resolving ends the rest.
        s.apply(caseEvent(.caseContacted, "R20261203-001", minutes: 41) { $0.channel = .phone })
        #expect(CaseEscalations.next(s) == nil)
        #expect(CaseEscalations.urgency(s, now: at(41)) == .overdue)
        s.apply(caseEvent(.caseResolved, "R20261203-001", minutes: 42) { $0.rootCause = "cause.staff" })
        #expect(CaseEscalations.thresholds(s).isEmpty && CaseEscalations.urgency(s, now: at(100)) == .onTime)
        // Reopened: the resolve deadline counts again (already escalated levels stay done).
        s.apply(caseEvent(.caseReopened, "R20261203-001", minutes: 43))
        #expect(CaseEscalations.due(s, now: at(44)).isEmpty && CaseEscalations.urgency(s, now: at(44)) == .overdue)
    }

    @Test func theEscalationTaskSleepsUntilTheNextDueCaseButAtMostAMinute() {
        #expect(CaseEscalator.sleepSeconds(nextDue: nil, now: caseMorning) == 60)
        #expect(CaseEscalator.sleepSeconds(nextDue: caseMorning.addingTimeInterval(12), now: caseMorning) == 12)
        #expect(CaseEscalator.sleepSeconds(nextDue: caseMorning.addingTimeInterval(3600), now: caseMorning) == 60)
        #expect(CaseEscalator.sleepSeconds(nextDue: caseMorning.addingTimeInterval(-5), now: caseMorning) == 0.5)
    }

    @Test func theNotifyCommandIsSplitWithoutAShellAndFilledWordByWord() throws {
        let n = try NotifyCommand(#"/usr/local/bin/notify "case {ref}" {level} --by={deadline} {assignee} {site}"#)
        #expect(
            n.arguments(site: "s1", ref: "R1;reboot", level: "reply.near", deadline: "2026-12-05T09:00:00Z", assignee: "{site}")
                == ["/usr/local/bin/notify", "case R1;reboot", "reply.near", "--by=2026-12-05T09:00:00Z", "{site}", "s1"])
        #expect(throws: CentralError.self) { try NotifyCommand(#"notify "open"#) }
        #expect(throws: CentralError.self) { try NotifyCommand("notify", timeout: 0) }
    }
}

@Suite("Case escalation and notification at the centre (real PostgreSQL)", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct EscalationTests {
    func at(_ m: Double) -> Date { caseMorning.addingTimeInterval(m * 60) }

    /// A script that appends its arguments as one line to `file` and exits with `status`.
    func script(writingTo file: URL, status: Int32 = 0, sleep: Int = 0) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString).sh")
        let text = """
            #!/bin/sh
            \(sleep > 0 ? "sleep \(sleep)" : "")
            echo "$*" >> '\(file.path)'
            echo "gateway said no" >&2
            exit \(status)

            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    func lines(_ file: URL) -> [String] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func twoSchedulersOnOneDatabaseEscalateEachThresholdOnceAndNotifyOnce() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            try await c.upload(k1, kiosk: "k1", [
                (1, openedEvent("R20261203-001", resolveMinutes: 30)),
                (2, openedEvent("R20261203-002", minutes: 1, ticket: "A002", resolveMinutes: 360)),
            ])
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("notified-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: out) }
            let command = try NotifyCommand(try script(writingTo: out).path + " {site} {ref} {level} {deadline} {assignee}", timeout: 10)
            let recorded = try await c.withSecondProcess { other in
                let one = CaseEscalator(store: c.store)
                let two = CaseEscalator(store: other)
                let notifyOne = Notifier(store: c.store, command: command)
                let notifyTwo = Notifier(store: other, command: command)
                // Both processes wake at the same moments of a virtual morning.
                var recorded: [Int] = []
                for minute: Double in [10, 23, 23, 31, 31, 36 * 60 + 1, 49 * 60] {
                    async let x = one.escalateDue(at: at(minute))
                    async let y = two.escalateDue(at: at(minute))
                    recorded.append(try await x + y)
                    async let p = notifyOne.runDue(at: at(minute))
                    async let q = notifyTwo.runDue(at: at(minute))
                    _ = try await (p, q)
                }
                return recorded
            }
            // 23 min: resolve.near of -001; 31: its resolve.overdue; 36 h: reply.near of both
            // and resolve.near+overdue of -002 (6 h); 49 h: reply.overdue of both.
            #expect(recorded == [0, 1, 0, 1, 0, 4, 2])
            let first = try #require(try await c.store.findCase(site: "s1", ref: "R20261203-001"))
            #expect(first.escalations == ["resolve.near", "resolve.overdue", "reply.near", "reply.overdue"])
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE type = 'case.escalated'") == 8)
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE type = 'case.escalated' AND station = 'centre' AND actor IS NULL") == 8)
            // The command ran once per threshold per case, with the placeholders filled in.
            let ran = lines(out)
            #expect(ran.count == 8, "\(ran)")
            #expect(Set(ran).count == 8)
            #expect(ran.first == "s1 R20261203-001 resolve.near 2026-12-03T09:30:00.000Z ")
            #expect(try await c.store.notifications(site: "s1", ref: nil).allSatisfy { $0.status == "sent" && $0.attempts == 1 })
            #expect(try await c.scalar("SELECT count(*) FROM notification_attempts WHERE exit_status = 0") == 8)
            #expect(try await c.scalar("SELECT count(*) FROM cases WHERE next_escalation_at IS NOT NULL") == 0)
            // The kiosks pull the escalations (the counters show them until acknowledged).
            let pulled = try #require(try await c.pull(k1, after: 0).reply)
            #expect(pulled.cases.first { $0.ref == "R20261203-001" }?.unacknowledgedEscalations.count == 4)
            #expect(try await c.scalar("SELECT count(*) FROM commands WHERE kiosk_id = 'k1' AND type = 'sync'") >= 1)
        }
    }

    @Test func aFailingNotifyCommandIsRetriedWithBackoffAndEveryAttemptRecorded() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            try await c.upload(k1, kiosk: "k1", [(1, openedEvent("R20261203-001", resolveMinutes: 30))])
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("notified-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: out) }
            let command = try NotifyCommand(try script(writingTo: out, status: 3).path + " {ref} {level}", timeout: 10)
            let notifier = Notifier(store: c.store, command: command, maxAttempts: 3, retryBaseSeconds: 60, retryCapSeconds: 90)
            #expect(try await CaseEscalator(store: c.store).escalateDue(at: at(23)) == 1)
            let t = at(23)
            #expect(try await notifier.runDue(at: t) == 1)
            var n = try #require(try await c.store.notifications(site: "s1", ref: nil).first)
            #expect(n.status == "queued" && n.attempts == 1 && n.lastError == "exit status 3")
            #expect(try await notifier.runDue(at: t.addingTimeInterval(59)) == 0)  // backoff: 60 s
            #expect(try await notifier.runDue(at: t.addingTimeInterval(60)) == 1)
            #expect(try await notifier.runDue(at: t.addingTimeInterval(60 + 89)) == 0)  // doubled, capped at 90 s
            #expect(try await notifier.runDue(at: t.addingTimeInterval(60 + 90)) == 1)
            #expect(try await notifier.runDue(at: t.addingTimeInterval(3600)) == 0)  // given up
            n = try #require(try await c.store.notifications(site: "s1", ref: nil).first)
            #expect(n.status == "failed" && n.attempts == 3)
            #expect(lines(out) == Array(repeating: "R20261203-001 resolve.near", count: 3))
            var attempts: [(Int32, Int32?, String, String?)] = []
            for try await row in try await c.store.client.query(
                "SELECT attempt, exit_status, output, error FROM notification_attempts ORDER BY attempt"
            ).decode((Int32, Int32?, String, String?).self) { attempts.append(row) }
            #expect(attempts.map(\.0) == [1, 2, 3])
            #expect(attempts.allSatisfy { $0.1 == 3 && $0.2 == "gateway said no\n" && $0.3 == "exit status 3" })
        }
    }

    @Test func aHangingCommandIsStoppedAtItsTimeLimitAndNoCommandMeansSkipped() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            try await c.upload(k1, kiosk: "k1", [(1, openedEvent("R20261203-001", resolveMinutes: 30))])
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("notified-\(UUID().uuidString).txt")
            let hanging = try NotifyCommand(try script(writingTo: out, sleep: 30).path, timeout: 1)
            #expect(try await CaseEscalator(store: c.store).escalateDue(at: at(23)) == 1)
            let clock = ContinuousClock.now
            #expect(try await Notifier(store: c.store, command: hanging).runDue(at: at(23)) == 1)
            #expect(ContinuousClock.now - clock < .seconds(10))
            let n = try #require(try await c.store.notifications(site: "s1", ref: nil).first)
            #expect(n.status == "queued" && n.lastError?.contains("time limit of 1 s") == true)
            #expect(lines(out).isEmpty)
            // No --notify-command: what is due is recorded as skipped (the escalation itself stands).
            #expect(try await CaseEscalator(store: c.store).escalateDue(at: at(31)) == 1)
            #expect(try await Notifier(store: c.store, command: nil).runDue(at: at(24 * 60)) == 2)
            #expect(try await c.store.notifications(site: "s1", ref: nil).map(\.status) == ["skipped", "skipped"])
            let missing = await NotifyCommand.run(["no-such-notify-program-x"], timeout: 5)
            #expect(missing.exitStatus == nil && missing.error?.contains("not found") == true)
        }
    }
}
