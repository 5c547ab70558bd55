/// An evemu recording (`keypad = evemu:PATH`), as `EvemuRecording.load` reads it.
@Sendable func fuzzEvemu(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let recording = EvemuRecording.parse(text)
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).count
    require(recording.events.count + recording.problems.count <= lines, "more events and problems than lines")
    for p in recording.problems {
        require(p.line >= 1 && p.line <= lines, "a problem on line \(p.line) of \(lines)")
        require(p.message.utf8.count <= longestDiagnostic, "a problem of \(p.message.utf8.count) bytes")
    }
    require(recording.problemSummary().count <= 11, "the summary of problems is not cut")
    // The writer's text (what tests record) reads back as the same events, times to the
    // microsecond while they fit a double that exactly (any real recording: seconds since boot).
    let exact = recording.events.filter { $0.time < 1e9 }
    let again = EvemuRecording.parse(EvemuRecording.format(exact))
    require(again.problems.isEmpty, "formatted events read back with problems: \(again.problems.prefix(2))")
    require(again.events.count == exact.count, "formatted events read back as \(again.events.count), not \(exact.count)")
    for (a, b) in zip(exact, again.events) {
        require(a.type == b.type && a.code == b.code && a.value == b.value && abs(a.time - b.time) < 1e-6,
                "event \(a) read back as \(b)")
    }
    // Replay ends and never goes back in time.
    var replay = EvemuReplay(events: recording.events, start: 0)
    var now = 0.0
    var played = 0
    while !replay.isFinished, played <= recording.events.count {
        guard let delay = replay.delay(now: now) else { break }
        require(delay >= 0 || delay.isNaN, "a negative delay \(delay)")
        now += delay.isFinite ? delay : 0
        let due = replay.due(now: now)
        if due.isEmpty { break }  // times beyond a double's reach: the replay stops, as the daemon's does
        played += due.count
    }
}
