import CSQLite
import Foundation
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Finds the `kiosk-crash-probe` executable: `$KIOSK_CRASH_PROBE` when set, otherwise next to the
/// test binary or in a folder above it (SwiftPM puts every product of a build in the same
/// `<scratch>/<triple>/debug` folder as `kioskPackageTests.xctest`).
func locateCrashProbe() -> URL? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["KIOSK_CRASH_PROBE"], fm.isExecutableFile(atPath: env) {
        return URL(fileURLWithPath: env)
    }
    var starts: [URL] = []
    if let arg0 = CommandLine.arguments.first {
        starts.append(URL(fileURLWithPath: arg0).standardizedFileURL)
    }
    if let exe = Bundle.main.executableURL { starts.append(exe) }
    starts.append(Bundle.main.bundleURL)
    for start in starts {
        var dir = start.resolvingSymlinksInPath()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("kiosk-crash-probe")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
            if dir.path == "/" { break }
        }
    }
    return nil
}

/// Same formula as in kiosk-crash-probe/main.swift.
func probeBatchSize(startingAt b: Int64) -> Int {
    Int(1 + ((UInt64(b) &* 0x9E37_79B9_7F4A_7C15) >> 33) % 3)
}


/// Reads what is in `fd` now, up to `timeout` seconds for the first byte; empty at EOF/timeout.
private func readAvailable(_ fd: Int32, timeout: Double) -> [UInt8] {
    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return [] }
    var buf = [UInt8](repeating: 0, count: 65536)
    let n = read(fd, &buf, buf.count)
    return n > 0 ? Array(buf[0..<n]) : []
}

/// Everything left in a pipe whose writer is dead.
private func drain(_ fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    while true {
        let chunk = readAvailable(fd, timeout: 0.2)
        if chunk.isEmpty { return out }
        out += chunk
    }
}

/// What descriptor `fd` of this process refers to, as /proc/self/fd shows it ("pipe:[inode]" for
/// a pipe: an inode names one pipe for as long as it exists, whoever opened it).
private func descriptorTarget(_ fd: Int32) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
}

/// What each open descriptor of this process refers to (`descriptorTarget`).
private func openDescriptorTargets() -> Set<String> {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return Set(fds.compactMap { Int32($0).flatMap(descriptorTarget) })
}

/// Launches the probe on `path` (in `mode`, e.g. `--pull`), optionally waits for its "ready" line, sleeps `delay` µs and
/// SIGKILLs it. Returns its stdout lines, or nil (after recording an issue) when it exited by
/// itself. `pipesUsed` is given the names of the two pipes it made (`descriptorTarget`).
func runProbeUntilKilled(
    _ probe: URL, mode: [String] = [], path: String, waitForReady: Bool, delay: UInt32, context: String,
    pipesUsed: (Set<String>) -> Void = { _ in }
) throws -> [Substring]? {
    let process = Process()
    process.executableURL = probe
    process.arguments = mode + [path]
    let out = Pipe()
    let err = Pipe()
    pipesUsed(Set([out, err].compactMap { descriptorTarget($0.fileHandleForReading.fileDescriptor) }))
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outFD = out.fileHandleForReading.fileDescriptor
    var output: [UInt8] = []
    if waitForReady {
        let deadline = Date().addingTimeInterval(20)
        while !output.contains(UInt8(ascii: "\n")) && Date() < deadline && process.isRunning {
            output += readAvailable(outFD, timeout: 0.05)
        }
    }
    usleep(delay)
    let wasRunning = process.isRunning
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    output += drain(outFD)
    let stderr = String(decoding: drain(err.fileHandleForReading.fileDescriptor), as: UTF8.self)
    try? out.fileHandleForReading.close()
    try? err.fileHandleForReading.close()
    guard wasRunning, process.terminationReason == .uncaughtSignal else {
        Issue.record("the probe exited by itself (status \(process.terminationStatus)): \(stderr) [\(context)]")
        return nil
    }
    return String(decoding: output, as: UTF8.self).split(separator: "\n")
}

@Suite("Crash safety")
struct CrashSafetyTests {
    @Test func killingKioskdWhileItCreatesTheFileLeavesNothingOrAWholeSchema() throws {
        guard let probe = locateCrashProbe() else {
            Issue.record("kiosk-crash-probe not found; build it or set KIOSK_CRASH_PROBE")
            return
        }
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SplitMix64(state: UInt64(Date().timeIntervalSince1970 * 1000))
        // A whole schema has as many tables as a store created without interruption.
        let reference = try EventStore(path: dir.path("reference.sqlite"))
        reference.close()
        let whole = try SQLiteConnection(path: dir.path("reference.sqlite"), flags: SQLITE_OPEN_READWRITE)
        let wholeTables = try whole.scalarInt("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'", doing: "checking") ?? -1
        whole.close()
        for round in 0..<20 {
            let path = dir.path("create-\(round).sqlite")
            guard
                try runProbeUntilKilled(
                    probe, path: path, waitForReady: false, delay: UInt32(Int.random(in: 0...30_000, using: &rng)),
                    context: path) != nil
            else { return }
            guard FileManager.default.fileExists(atPath: path) else { continue }
            // Whatever the kill interrupted, the next start finds a sound file at the current schema.
            let raw = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)  // may roll back a hot journal
            let version = try raw.scalarInt("PRAGMA user_version", doing: "checking") ?? -1
            let tables = try raw.scalarInt(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'", doing: "checking") ?? -1
            raw.close()
            #expect((version == 0 && tables == 0) || (version == Int64(EventStore.currentSchemaVersion) && tables == wholeTables),
                    "round \(round): version \(version) with \(tables) tables")
            let store = try EventStore(path: path)
            #expect(try store.integrityCheck() == "ok")
            #expect(try store.eventCount() == store.lastSequence())
            store.close()
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func sigkillingAWriterHundredsOfTimesLosesNoAcknowledgedBatchAndSplitsNone() throws {
        guard let probe = locateCrashProbe() else {
            Issue.record(
                """
                kiosk-crash-probe not found next to \(CommandLine.arguments.first ?? "the test binary"); \
                build it (`swift build --product kiosk-crash-probe`) or set KIOSK_CRASH_PROBE
                """)
            return
        }
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.dbPath
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var rng = SplitMix64(state: seed)
        let context = "seed \(seed), \(path)"

        // `make crash-proof` runs 1000 (KIOSK_CRASH_KILLS); make test the default 100.
        let kills = ProcessInfo.processInfo.environment["KIOSK_CRASH_KILLS"].flatMap(Int.init) ?? 100
        var maxAck: Int64 = 0
        var lastSeen: Int64 = 0
        var checkedThrough: Int64 = 0
        var issuedTickets = 0
        var killsWithProgress = 0
        var killsBeforeReady = 0
        let started = Date()
        var probePipes = Set<String>()

        for round in 0..<kills {
            // Three kills in four are timed from "ready" so they land in the append loop; the
            // rest from launch, so some hit opening the file.
            guard
                let lines = try runProbeUntilKilled(
                    probe, path: path, waitForReady: round % 4 != 0,
                    delay: UInt32(Int.random(in: 5_000...60_000, using: &rng)), context: "round \(round), \(context)",
                    pipesUsed: { probePipes.formUnion($0) })
            else { return }
            if !lines.contains("ready") { killsBeforeReady += 1 }
            for line in lines where line.hasPrefix("ack ") {
                guard let n = Int64(line.dropFirst(4)) else { continue }
                #expect(n > maxAck, "acks must increase: \(n) after \(maxAck) [\(context)]")
                maxAck = max(maxAck, n)
            }

            // --- Check the file as the next kioskd start would find it. ---
            guard FileManager.default.fileExists(atPath: path) else {
                #expect(maxAck == 0, "round \(round): acked \(maxAck) but no file [\(context)]")
                continue
            }
            let store = try EventStore(path: path)
            defer { store.close() }
            try #require(try store.integrityCheck() == "ok", "round \(round) [\(context)]")
            let last = try store.lastSequence()
            // Every acknowledged batch is there; nothing seen before disappeared.
            try #require(last >= maxAck, "round \(round): acked \(maxAck) but last seq is \(last) [\(context)]")
            try #require(last >= lastSeen, "round \(round): last seq went back from \(lastSeen) to \(last) [\(context)]")
            // Contiguous 1…last: as many rows as the highest seq (seq is the primary key).
            try #require(try store.eventCount() == last, "round \(round): gaps in seqs [\(context)]")
            if last > lastSeen { killsWithProgress += 1 }
            lastSeen = last

            // New events: whole batches only, laid out as the probe writes them.
            let fresh = try store.events(since: checkedThrough)
            var expectedStatus: [String: (day: String, status: String)] = [:]
            var i = 0
            while i < fresh.count {
                let head = fresh[i]
                let b = head.seq
                let size = probeBatchSize(startingAt: b)
                try #require(
                    head.event.detail == "probe batch=\(b) size=\(size) part=0",
                    "round \(round): seq \(b) does not start a batch: \(head.event.detail ?? "nil") [\(context)]")
                try #require(i + size <= fresh.count, "round \(round): batch \(b) is incomplete [\(context)]")
                let types: [EventType] = [.ticketIssued, .ticketCalled, .serviceStarted]
                for part in 0..<size {
                    let e = fresh[i + part]
                    try #require(e.seq == b + Int64(part), "round \(round): seq gap in batch \(b) [\(context)]")
                    try #require(e.event.detail == "probe batch=\(b) size=\(size) part=\(part)", "[\(context)]")
                    try #require(e.event.type == types[part] && e.event.ticket == "T\(b)", "[\(context)]")
                    try #require(e.kiosk == "probe")
                }
                expectedStatus["T\(b)"] = (head.event.day, ["waiting", "called", "serving"][size - 1])
                i += size
                issuedTickets += 1
            }
            checkedThrough = last

            // Projections agree with the events.
            let ticketRows = try #require(try store.conn.scalarInt("SELECT COUNT(*) FROM tickets", doing: "counting"))
            #expect(ticketRows == Int64(issuedTickets), "round \(round) [\(context)]")
            let issuedEvents = try store.conn.scalarInt(
                "SELECT COUNT(*) FROM events WHERE type = 'ticket.issued'", doing: "counting")
            #expect(issuedEvents == Int64(issuedTickets), "round \(round) [\(context)]")
            for day in Set(expectedStatus.values.map(\.day)) {
                let status = Dictionary(uniqueKeysWithValues: try store.tickets(day: day).map { ($0.label, $0.status) })
                for (label, expected) in expectedStatus where expected.day == day {
                    #expect(status[label] == expected.status, "round \(round): \(label) [\(context)]")
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            """
            crash probe: \(kills) SIGKILLs in \(String(format: "%.1f", seconds)) s, \(lastSeen) events \
            (\(issuedTickets) batches), \(killsWithProgress) rounds wrote something, \
            \(killsBeforeReady) killed before ready, last ack \(maxAck) [\(context)]
            """)
        #expect(maxAck > 0)
        #expect(killsWithProgress > kills / 2)
        // Pipes to 200 probes must not leak descriptors: no end of any of them is still open. (Not
        // a count of this process's descriptors: the tests running alongside open and close theirs.)
        let leaked = openDescriptorTargets().intersection(probePipes)
        #expect(probePipes.count >= kills, "the probes' pipes were not seen")
        #expect(leaked.count == 0, "\(leaked.count) of the probes' \(probePipes.count) pipes are still open")
    }
}
