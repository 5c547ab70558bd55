import Foundation
import KioskProtocol
import KioskSync
import Testing

/// The sync worker's small machines, fed by hand: no threads, no network, no sleeping.
@Suite("Sync machines: commands, outcomes, heartbeat, configuration")
struct SyncMachinesTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    @Test func commandsAreRoutedAndTheNextPollFollowsAtOnce() {
        var p = CommandPoller(wait: 25, backoffCap: 60)
        #expect(p.start(now: t0) == [.longPoll(wait: 25)])
        #expect(p.deadline == nil, "nothing to wait for while the poll is out")
        let actions = p.commandsArrived(
            [Command(id: 1, .sync), Command(id: 2, .reloadConfig), Command(id: 3, .setWeather(.rain)),
             Command(id: 4, type: "set-weather", argument: "snow")], now: t0)
        #expect(actions.filter { if case .log = $0 { false } else { true } } == [
            .syncNow, .reloadConfig(commandID: 2), .deliver(id: 3, .setWeather(.rain)),
            .acknowledge(id: 4, ok: false, message: "set-weather needs clear, rain, hot or cold; this kiosk knows sync, reload-config and set-weather (update the kiosk)"),
            .longPoll(wait: 25),
        ])
        #expect(p.awaitingDrain == [1])
        #expect(p.drainEnded(failure: nil, summary: "acknowledged through #9, backlog 0") == [
            .acknowledge(id: 1, ok: true, message: "synced: acknowledged through #9, backlog 0"),
        ])
        #expect(p.drainEnded(failure: nil, summary: nil).isEmpty, "each sync is acknowledged once")
    }

    @Test func aSyncWhoseDrainFailedIsAcknowledgedAsFailed() {
        var p = CommandPoller(wait: 25, backoffCap: 60)
        _ = p.start(now: t0)
        _ = p.commandsArrived([Command(id: 7, .sync)], now: t0)
        #expect(p.drainEnded(failure: "cannot reach the centre", summary: nil) == [
            .acknowledge(id: 7, ok: false, message: "sync failed: cannot reach the centre"),
        ])
    }

    @Test func aFailedPollIsRetriedAfterABackoffOfAtLeastHalfASecond() {
        var p = CommandPoller(wait: 25, backoffCap: 60)
        _ = p.start(now: t0)
        #expect(p.pollFailed(now: t0, jitter: 0).isEmpty)
        #expect(p.deadline == t0.addingTimeInterval(0.5))
        #expect(p.tick(now: t0.addingTimeInterval(0.4)).isEmpty)
        #expect(p.tick(now: t0.addingTimeInterval(0.5)) == [.longPoll(wait: 25)])
        for _ in 1...10 {
            _ = p.pollFailed(now: t0, jitter: 0.999_999)
            _ = p.tick(now: t0.addingTimeInterval(1000))
        }
        _ = p.pollFailed(now: t0, jitter: 0.999_999)
        #expect(p.deadline! <= t0.addingTimeInterval(60), "never longer than the cap")
        #expect(CommandPoller(wait: 0, backoffCap: 60).deadline == nil)
        var off = CommandPoller(wait: 0, backoffCap: 60)
        #expect(off.start(now: t0).isEmpty, "commandWait 0: no polling")
    }

    @Test func outcomesAreSentAtOnceThenEveryMinuteAndAfterFailuresWithinAMinute() {
        var q = OutcomeQueue()
        #expect(q.start(now: t0) == [.sendOutcomes], "those a restart left unreported go out first")
        #expect(q.outcomeRecorded(now: t0).isEmpty, "one round at a time")
        #expect(q.sent(now: t0) == [.sendOutcomes], "the one recorded meanwhile goes out now")
        #expect(q.sent(now: t0).isEmpty)
        #expect(q.deadline == t0.addingTimeInterval(60))
        #expect(q.outcomeRecorded(now: t0.addingTimeInterval(5)) == [.sendOutcomes])
        _ = q.sendFailed(now: t0, jitter: 0)
        #expect(q.deadline == t0.addingTimeInterval(0.5), "half of the first backoff")
        for _ in 1...10 {
            _ = q.tick(now: t0.addingTimeInterval(1000))
            _ = q.sendFailed(now: t0, jitter: 0.999_999)
        }
        #expect(q.deadline! <= t0.addingTimeInterval(60))
        #expect(q.deadline! >= t0.addingTimeInterval(30))
    }

    @Test func theHeartbeatBeatsEveryIntervalAndItsSiteStartsAConfigurationCheck() {
        var h = HeartbeatMachine(interval: 60, now: t0)
        #expect(h.tick(now: t0) == [.sendHeartbeat])
        #expect(h.tick(now: t0.addingTimeInterval(120)).isEmpty, "one at a time")
        #expect(h.answered(site: "tower-a", now: t0) == [.checkConfig(site: "tower-a")])
        #expect(h.deadline == t0.addingTimeInterval(60))
        #expect(h.tick(now: t0.addingTimeInterval(59)).isEmpty)
        #expect(h.tick(now: t0.addingTimeInterval(60)) == [.sendHeartbeat])
        #expect(h.failed("cannot reach the centre", now: t0) == [.recordFailure("heartbeat: cannot reach the centre")])
    }

    @Test func aVersionIsOfferedOnceByThePeriodicCheckButAgainOnReloadConfig() {
        var c = ConfigCheck()
        let v4 = ConfigReply(site: "tower-a", version: 4, body: "", publishedAt: "2026-11-24T06:00:00.000Z")
        #expect(c.periodic(site: "tower-a", running: 3) == [.fetch(site: "tower-a", after: 3, commandID: nil)])
        #expect(c.fetched(v4, site: "tower-a", after: 3, commandID: nil) == [
            .log("sync: configuration version 4 published for site tower-a"), .deliver(v4, commandID: nil),
        ])
        // Refused by the daemon: version 3 keeps running, but 4 is not fetched again every interval.
        #expect(c.periodic(site: "tower-a", running: 3) == [.fetch(site: "tower-a", after: 4, commandID: nil)])
        #expect(c.reloadRequested(commandID: 9) == [.learnSite(commandID: 9)])
        #expect(c.siteLearned("tower-a", commandID: 9, running: 3) == [.fetch(site: "tower-a", after: 3, commandID: 9)])
        #expect(c.fetched(nil, site: "tower-a", after: 4, commandID: 9) == [
            .acknowledge(id: 9, ok: true, message: "already running configuration version 4; nothing newer is published for site tower-a"),
        ])
        #expect(c.fetchFailed("the centre failed (503)", commandID: 9).last
            == .acknowledge(id: 9, ok: false, message: "cannot fetch the published configuration: the centre failed (503)"))
    }
}
