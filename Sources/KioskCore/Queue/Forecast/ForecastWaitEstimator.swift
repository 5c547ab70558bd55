#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `estimator = forecast`, the default: the line as it stands is played forward with the real
/// call rule (counters pooled across the services they serve, oldest first, fair priority
/// ratio), from what each counter is doing now (the visit in progress, conditioned on how long
/// it has lasted, by the lognormal fitted to the service's visits; a recalled resident as
/// recalled visits went; a pause; a counter just freed; the daily break at the times it began on
/// earlier days, back at the rota's time where breaks end at one; a counter not staffed yet at
/// the time its staff came on earlier days), with visit times, staff reaction and pause lengths
/// drawn from the learned history (`ForecastHistory`). The point is the median of the simulated
/// waits; the range shown is their 10th–90th percentile in whole minutes, at least 2 and at most
/// 6 minutes wide: the end of the range is the promise (called by then 9 times in 10), so a
/// range too wide to mean anything is narrowed from below, never from above. Seeded from the
/// question and the state, so the same moment always gives the same figures.
public struct ForecastWaitEstimator: WaitEstimator, Equatable {
    public private(set) var history: ForecastHistory
    public let services: [ServiceConfig]
    public let counters: [CounterConfig]
    public let normalCallsPerPriority: Int
    /// `keep-promises`' margin in seconds (nil: off): the simulation calls as counters do.
    public let promiseMargin: TimeInterval?
    /// Simulated runs per estimate: enough for steady percentiles, few enough for a few ms.
    public var runs = 200

    /// The range: percentiles of the simulated wait, its narrowest and widest width (minutes).
    static let lowQuantile = 0.10, highQuantile = 0.90
    static let minimumWidth = 2, maximumWidth = 6

    public init(configuration: Configuration) {
        history = ForecastHistory(timeZone: configuration.zone)
        services = configuration.services
        counters = configuration.counters
        normalCallsPerPriority = configuration.normalCallsPerPriority
        promiseMargin = configuration.promiseMargin
    }

    public mutating func observe(_ event: KioskEvent, in state: QueueState) { history.observe(event, in: state) }

    public func estimate(_ question: WaitQuestion, state: QueueState, now: Date) -> WaitEstimate {
        guard let (service, _) = state.serviceAndAhead(question), services.contains(where: { $0.id == service }) else {
            return WaitEstimate(low: 0, high: 0, point: 0, countersOpen: true, noWait: true)
        }
        var line = state.waitingTickets.sorted { ($0.issuedAt, $0.label) < ($1.issuedAt, $1.label) }
        let target: Int
        switch question {
        case .newTicket(let s, let priority):
            line.append(Ticket(label: "\u{10FFFF}", number: 0, service: s, priority: priority, issuedAt: now, estimateLow: 0, estimateHigh: 0))
            target = line.count - 1
        case .waiting(let label):
            target = line.firstIndex { $0.label == label } ?? 0
        }
        var (simulation, countersOpen) = self.simulation(line: line, service: service, state: state, now: now)
        // A new ticket has no promise yet. (A second run with the first run's end of range as its
        // promise moved busy-day MAE by 0.01 minute at twice the cost: not kept.)
        if case .newTicket = question { simulation.line[target].deadline = .infinity }
        let waits = simulation.run(runs: runs, targets: [target], seed: seed(question, state))[0]
        return Self.estimate(from: waits, countersOpen: countersOpen, noWait: state.counterFreeNow(for: question))
    }

    /// One simulation for every waiting ticket at once (the proactive care alert's question),
    /// run only `horizon` seconds ahead: the cost stays bounded however long the line.
    public func estimatesForWaiting(state: QueueState, now: Date, horizon: TimeInterval) -> [String: WaitEstimate] {
        let line = state.waitingTickets.sorted { ($0.issuedAt, $0.label) < ($1.issuedAt, $1.label) }
        guard !line.isEmpty else { return [:] }
        let (simulation, _) = self.simulation(line: line, service: nil, state: state, now: now)
        let waits = simulation.run(runs: runs, targets: Array(line.indices), seed: seed(nil, state), until: horizon)
        var result: [String: WaitEstimate] = [:]
        for (i, t) in line.enumerated() where waits[i].contains(where: \.isFinite) {
            result[t.label] = Self.estimate(from: waits[i], countersOpen: true, noWait: false)
        }
        return result
    }

    /// Point and range from the simulated waits (seconds).
    static func estimate(from waits: [Double], countersOpen: Bool, noWait: Bool) -> WaitEstimate {
        let sorted = waits.map { $0.isFinite ? $0 : 8 * 3_600 }.sorted()
        func quantile(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[Int((q * Double(sorted.count - 1)).rounded())] / 60 }
        let point = quantile(0.5)
        var low = Int(quantile(lowQuantile).rounded(.down))
        var high = max(Int(quantile(highQuantile).rounded(.up)), 1)
        if high - low < minimumWidth { low = max(0, high - minimumWidth); high = max(high, low + minimumWidth) }
        if high - low > maximumWidth {
            // Too wide to tell anything: keep the promise, raise the start (but not past the point).
            low = min(high - maximumWidth, Int(point.rounded(.down)))
        }
        return WaitEstimate(low: low, high: high, point: point, countersOpen: countersOpen, noWait: noWait)
    }

    /// The simulation of `line` from the counters as they are now. `service`: the question's;
    /// when no counter serving it is open, the first configured one that does is assumed to open.
    func simulation(line: [Ticket], service: String?, state: QueueState, now: Date) -> (ForecastSimulation, countersOpen: Bool) {
        let index = Dictionary(services.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        func mask(_ list: [String]) -> UInt32 { list.reduce(0) { $0 | (index[$1].map { 1 << UInt32($0) } ?? 0) } }
        var simCounters: [ForecastSimulation.SimCounter] = []
        for c in state.counters.values.sorted(by: { $0.number < $1.number }) where c.staff != nil && c.status != .closed {
            var sim = ForecastSimulation.SimCounter(serves: mask(c.services))
            if let label = c.current, let t = state.tickets[label] {
                let elapsed = now.timeIntervalSince(history.visitStart(of: label) ?? t.lastCalledAt ?? now)
                sim.inVisit = true
                if t.status == .serving, let fit = LogNormalFit(history.served[t.service] ?? [], minimum: ForecastSimulation.ServiceTimes.enough) {
                    // In service: how much longer, from the lognormal fitted to all the service's
                    // visits, conditioned on this one having lasted `elapsed`. The records longer
                    // than it are few once a visit runs long (none past the longest), and a visit
                    // 15 minutes into a 12-minute-median service is likely a long one.
                    sim.visitFit = fit
                    sim.visitElapsed = max(0, elapsed)
                } else {
                    // Called, not started (walking up, or a no-show): the records of the whole
                    // occupancy that lasted longer; once recalled, most likely not coming (a
                    // no-show after the recalls), so those of the visits that had a recall.
                    let list = t.status == .serving ? history.served[t.service] ?? []
                        : t.recalls > 0 && history.recalledOccupancy.count >= ForecastSimulation.ServiceTimes.enough ? history.recalledOccupancy
                        : history.occupancy[t.service] ?? []
                    sim.visitRemaining = list.count >= ForecastSimulation.ServiceTimes.enough ? list.compactMap { $0 > elapsed ? $0 - elapsed : nil } : []
                    let typical = Double(services.first { $0.id == t.service }?.typicalServiceMinutes ?? 5) * 60
                    sim.visitFallback = list.count >= ForecastSimulation.ServiceTimes.enough ? max(30, 0.25 * typical) : max(30, typical - elapsed)
                }
            }
            if c.status == .paused {
                let elapsed = now.timeIntervalSince(history.pauseStart(of: c.number) ?? now)
                sim.paused = true
                if history.pauses.count >= 3 { sim.pauseRemaining = history.pauses.compactMap { $0 > elapsed ? $0 - elapsed : nil } }
                sim.pauseFallback = history.pauses.count >= 3 ? 120 : max(120, 600 - elapsed)
                // The day's break, where breaks end at a time of day: at those of earlier days
                // still ahead (none ahead: back late, as any pause).
                if history.onFirstBreak(c.number), let ends = history.breakEndOutlook(c.number, at: now) {
                    let ahead = ends.filter { $0 > 0 }
                    if !ahead.isEmpty { sim.pauseRemaining = ahead }
                }
            }
            sim.sinceRelease = history.release(of: c.number).map { now.timeIntervalSince($0) } ?? 0
            if !history.hasPausedToday(c.number) {
                (sim.breakChance, sim.breakOffsets) = history.breakOutlook(c.number, at: now)
                sim.breakEndOffsets = history.breakEndOutlook(c.number, at: now) ?? []
            }
            simCounters.append(sim)
        }
        let staffed = simCounters.count
        // Counters not staffed yet today whose staff came later than now on most earlier days
        // (at 09:00, say, an hour after opening): expected at one of those times.
        for c in counters where !state.counters.values.contains(where: { $0.number == c.number && $0.staff != nil && $0.status != .closed }) {
            guard let (chance, offsets) = history.openingOutlook(c.number, at: now), chance >= 0.5, !offsets.isEmpty else { continue }
            var sim = ForecastSimulation.SimCounter(serves: mask(c.services))
            sim.opensAfter = offsets
            (sim.breakChance, sim.breakOffsets) = history.breakOutlook(c.number, at: now)
            sim.breakEndOffsets = history.breakEndOutlook(c.number, at: now) ?? []
            simCounters.append(sim)
        }
        var countersOpen = true
        if let service, let bit = index[service], !simCounters[..<staffed].contains(where: { $0.serves & (1 << UInt32(bit)) != 0 }) {
            countersOpen = false
            if !simCounters.contains(where: { $0.serves & (1 << UInt32(bit)) != 0 }) {
                simCounters.append(ForecastSimulation.SimCounter(serves: mask(counters.first { $0.services.contains(service) }?.services ?? [service])))
            }
        }
        let table = services.map { s -> [[Double]] in
            let all = history.occupancy[s.id] ?? []
            let byHour = history.occupancyByHour[s.id] ?? [:]
            return (0..<24).map { h in (byHour[h]?.count ?? 0) >= 15 ? byHour[h]! : all }
        }
        var simulation = ForecastSimulation(
            line: line.map { t in
                .init(service: index[t.service] ?? 0, priority: t.priority,
                      deadline: t.promiseDeadline.map { $0.timeIntervalSince(now) } ?? .infinity)
            }, counters: simCounters,
            times: .init(table: table, typical: services.map { Double($0.typicalServiceMinutes) * 60 }), reaction: history.reaction,
            normalCallsSincePriority: state.normalCallsSincePriority, normalCallsPerPriority: normalCallsPerPriority,
            start: now.timeIntervalSince1970, utcOffset: history.utcOffset)
        simulation.pauseLengths = history.pauses
        simulation.promiseMargin = promiseMargin
        if history.days > 1 {
            let days = Double(history.days - 1)
            simulation.priorityRates = services.map { s in (0..<24).map { Double(history.priorityArrivals[s.id]?[$0] ?? 0) / days / 3_600 } }
        }
        return (simulation, countersOpen)
    }

    /// Same question and same line → same seed (so a screen redrawn each second does not
    /// flicker); the clock is left out on purpose: as time passes the same draws are conditioned
    /// on the time elapsed, and the figures move smoothly.
    func seed(_ question: WaitQuestion?, _ state: QueueState) -> UInt64 {
        var h: UInt64
        switch question {
        case .newTicket(let s, let p)?: h = SplitMix64.hash("new:\(s):\(p)")
        case .waiting(let label)?: h = SplitMix64.hash("waiting:" + label)
        case nil: h = SplitMix64.hash("all")
        }
        h = SplitMix64.hash(state.day, into: h)
        for label in state.order { h = SplitMix64.hash(label, into: h) }
        for c in state.counters.values.sorted(by: { $0.number < $1.number }) {
            h = SplitMix64.hash("\(c.number)\(c.status.rawValue)\(c.current ?? "")", into: h)
        }
        return h
    }
}
