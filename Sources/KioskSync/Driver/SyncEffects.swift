#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCentralClient
import KioskProtocol
import KioskStorage

/// The driver's I/O: the outbox's reads and uploads, the heartbeat's body, the records of
/// success and failure. Each function does one thing and returns what happened; the machines
/// decide what follows.
extension SyncWorker {
    func makeClient(timeout: TimeInterval = 30) throws(SyncError) -> CentralClient {
        CentralClient(
            baseURL: options.centralURL, token: try CentralClient.readToken(path: options.tokenFile), caFile: options.caFile,
            requestTimeout: timeout)
    }

    /// Drains the outbox once (until caught up or the first failure) on the calling thread, then
    /// sends a heartbeat and pulls the case states (stored for kioskd's next start): `kioskctl
    /// sync` when no kioskd is running. It fails when an upload failed, or when there was nothing
    /// to send and the heartbeat could not reach the centre; a failed pull is reported apart (and
    /// none is tried after a failure).
    public func drain() -> Report {
        CentralClient.blockSIGPIPEOnThisThread()
        do {
            let store = try EventStore(path: storePath)
            defer { store.close() }
            let startAcked = try store.syncState().ackedSeq
            var machine = SyncMachine(
                settings: SyncMachine.Settings(batchSize: options.batchSize, interval: options.interval),
                ackedSeq: startAcked, now: clock.now())
            var action = machine.start()
            var failure: String?
            while true {
                if case .wait = action { break }
                let (next, error) = step(action, machine: &machine, store: store)
                action = next
                failure = error
            }
            // A batch refused as a seq conflict: say so if this log is not the centre's at all.
            if conflictSeen {
                conflictSeen = false
                var check = LineageCheck(everAcknowledged: true, now: clock.now(), retryInterval: options.interval)
                if check.conflictReported(now: clock.now()) == [.ask], case .replaced(let reason)? = askLineage(&check, store: store).first {
                    failure = reason
                }
            }
            do {
                try makeClient().heartbeat(heartbeatBody(store: store))
            } catch {
                let message = "heartbeat: \(error.message)"
                record(store, failure: message)
                // With nothing sent, the heartbeat was the only word with the centre: it failed.
                if machine.ackedSeq == startAcked { failure = failure ?? message }
            }
            let backlog = try store.backlog()
            var report = Report(sent: machine.ackedSeq - startAcked, ackedSeq: machine.ackedSeq, backlog: backlog.count, error: failure)
            guard failure == nil else { return report }  // the centre is not answering: do not wait for it again
            var pull = CasePull(cursor: try store.pulledCasesCursor())
            var pullActions = pull.syncRequested(now: clock.now())
            while !pullActions.isEmpty { pullActions += pullStep(pullActions.removeFirst(), machine: &pull, store: store) }
            if let error = pull.lastError { report.casesError = error } else { report.casesThrough = pull.cursor }
            return report
        } catch {
            return Report(sent: 0, ackedSeq: 0, backlog: 0, error: "\(error)")
        }
    }

    /// Performs one outbox action and feeds its result to the machine; returns the next action
    /// and the failure message, if any.
    func step(_ action: SyncMachine.Action, machine: inout SyncMachine, store: EventStore) -> (SyncMachine.Action, String?) {
        let jitter = clock.jitter()
        switch action {
        case .wait(let until):
            return (.wait(until: until), nil)
        case .readOutbox(let after, let limit):
            do {
                pending = try store.outbox(after: after, limit: limit)
                if pending.isEmpty { warnAboutBudget(store) }
                return (machine.outboxRead(firstSeq: pending.first?.seq, lastSeq: pending.last?.seq, now: clock.now()), nil)
            } catch {
                let message = "cannot read the outbox: \(error)"
                record(store, failure: message)
                return (machine.outboxFailed(now: clock.now(), jitter: jitter), message)
            }
        case .upload:
            let sentAt = clock.now()
            do {
                let events = pending.map(Self.uploadEvent)
                let ack = try makeClient().upload(UploadRequest(kiosk: options.kioskID, sentAt: Self.iso(sentAt), events: events))
                let receivedAt = clock.now()
                let offset = Self.offsetMs(sentAt: sentAt, receivedAt: receivedAt, serverTime: ack.serverTime)
                do {
                    try store.recordSyncSuccess(
                        ackedSeq: ack.ackedSeq, serverTime: ack.serverTime, deviceTime: Self.iso(receivedAt), clockOffsetMs: offset)
                } catch {
                    let message = "\(error)"
                    record(store, failure: message)
                    return (machine.uploadFailed(.transient(message), now: clock.now(), jitter: jitter), message)
                }
                return (machine.uploadAcknowledged(ackedSeq: ack.ackedSeq, now: clock.now(), jitter: jitter), nil)
            } catch {
                record(store, failure: error.message)
                if error.isSeqConflict { conflictSeen = true }
                let failure: SyncMachine.Failure = error.isTransient ? .transient(error.message) : .refused(error.message)
                return (machine.uploadFailed(failure, now: clock.now(), jitter: jitter), error.message)
            }
        }
    }

    /// Asks the centre what it holds of this kiosk above the local log's last seq.
    func askLineage(_ check: inout LineageCheck, store: EventStore) -> [LineageCheck.Action] {
        do {
            let last = try store.lastSequence()
            let reply = try makeClient().fetchOwnEvents(after: last, limit: 1)
            lineageFailureLogged = false
            return check.answered(kiosk: reply.kiosk, localLast: last, centreAcked: reply.ackedSeq, centreHighest: reply.highestSeq)
        } catch {
            if !lineageFailureLogged {
                lineageFailureLogged = true
                log("sync: cannot ask the centre whether this kiosk's log is the one it holds (asked again every \(Int(check.retryInterval)) s): \(error)")
            }
            return check.failed(now: clock.now())
        }
    }

    func record(_ store: EventStore, failure: String) {
        log("sync: \(failure)")
        try? store.recordSyncFailure(failure, at: Self.iso(clock.now()))
    }

    func warnAboutBudget(_ store: EventStore) {
        guard let backlog = try? store.backlog() else { return }
        switch BacklogBudget.assess(backlogBytes: backlog.bytes, budgetBytes: options.diskBudgetBytes) {
        case .ok: break
        case .filling(let p):
            log("sync: the unsent backlog (\(backlog.count) events) fills \(p)% of its disk budget; bring the kiosk online")
        case .exceeded(let p):
            log("sync: the unsent backlog (\(backlog.count) events) is at \(p)% of its disk budget; nothing is dropped, but connect the kiosk to the centre now")
        }
    }

    /// "acknowledged through #812, backlog 0", for the `sync` commands a drain answers.
    func drainSummary(_ store: EventStore) -> String? {
        guard let state = try? store.syncState(), let backlog = try? store.backlog() else { return nil }
        return "acknowledged through #\(state.ackedSeq), backlog \(backlog.count)"
    }

    func runningConfigVersion(_ store: EventStore) -> Int { (try? store.syncState().configVersion) ?? 0 }

    /// The kiosk's health for `POST /v1/heartbeat`.
    func heartbeatBody(store: EventStore) -> Heartbeat {
        guard let state = try? store.syncState(), let backlog = try? store.backlog() else {
            return Heartbeat(version: options.version)
        }
        var beat = Heartbeat(
            version: options.version, uptimeSeconds: Int64(clock.now().timeIntervalSince(started)), backlog: backlog.count,
            oldestUnsent: backlog.oldestDeviceTime, lastSuccess: state.lastSuccessAt, lastError: state.lastError,
            configVersion: state.configVersion, clockOffsetMs: state.clockOffsetMs)
        let folder = Path.folder(of: storePath)
        if let attrs = try? FileManager.default.attributesOfFileSystem(forPath: folder.isEmpty ? "." : folder),
            let free = attributeInteger(attrs[.systemFreeSize])
        {
            beat.diskFreeBytes = free
        }
        return beat
    }

    /// An outbox row as the protocol carries it: the stored event JSON is the payload, sent
    /// as it is stored (the centre checks that it is a JSON object).
    static func uploadEvent(_ e: OutboxEvent) -> UploadEvent {
        UploadEvent(seq: e.seq, type: e.type, deviceTime: e.deviceTime, payload: .verbatim(e.payload))
    }

    static func iso(_ date: Date) -> String { WireTime.string(date) }

    /// Server clock minus ours, from the round trip's midpoint (ms); nil when unparseable.
    public static func offsetMs(sentAt: Date, receivedAt: Date, serverTime: String) -> Int64? {
        guard let server = WireTime.parse(serverTime) else { return nil }
        let midpoint = sentAt.addingTimeInterval(receivedAt.timeIntervalSince(sentAt) / 2)
        return Int64((server.timeIntervalSince(midpoint) * 1000).rounded())
    }
}
