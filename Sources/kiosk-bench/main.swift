// kiosk-bench: speed and size of the framebuffer kiosk, printed as figures (not a test).
//
//   swift build -c release --static-swift-stdlib --product kiosk-bench
//   .build/release/kiosk-bench [--assets Kiosk] [--iterations N] [--no-first-frame] [--cold]
//                              [--mapped-first-frame] [--estimator NAME]
//   .build/release/kiosk-bench --write-layouts FILE   (what it draws, for scripts/lvgl-bench)
//
// Build it the way kioskd ships (scripts/make-deb.sh links the Swift runtime and
// FoundationEssentials statically): resident memory depends on it. For the busiest screen at 1920×1080×32
// (XRGB8888) it prints: full-frame render (layout, then every pixel drawn in RAM band by band,
// converted and written to a file-backed framebuffer's mapping; and again with a write(2) a band,
// as kioskd writes to a device after a VT switch), a typical update (one ticket number
// changes: layout, compare, draw and flush the changed area), key-event-to-flush latency
// (input_event bytes through a pipe, decoder, state machine, screen, draw, flush; storage not
// included), process start to first complete frame (a child process: exec, font load, draw,
// flush), and peak RSS with the CJK font loaded, with what the resident pages are; and the cost
// of one wait estimate, the default forecast against rolling (`--estimator` picks the one the
// screens use, to see what it costs the key-to-flush path).
//
// The first-frame child starts as kioskd does on a /dev/fb device: it replays the stored events
// (the busy morning's, written by the parent as JSON lines), loads the fonts and their glyph
// cache file, draws the lobby without estimates (KioskService's deferred history) and flushes it
// with write(2) (`--mapped-first-frame`: through the file's mapping, as the figures before
// 2026-12-04 were taken); it says when, then draws the settled lobby, writes the glyph cache and
// exits. The first of the six starts has no glyph cache yet (printed apart).
// KIOSK_BENCH_STOP_AT_FIRST_FRAME=1 with --first-frame exits as soon as the first frame is
// flushed (for `valgrind --tool=callgrind kiosk-bench --first-frame --events PATH [--glyph-cache
// FILE]`, the events written by `kiosk-bench --write-events PATH`, the glyph cache by a run of
// `kiosk-bench --first-frame --events PATH --glyph-cache FILE` without the variable).
// KIOSK_BENCH_SMAPS=1 with --first-frame prints the child's /proc/self/smaps at exit (to stderr), to
// see which mappings its resident pages are in.
// `--cold` also times 5 process starts with an empty page cache (the caches are dropped before
// each: what a kiosk sees after a power cut; needs root). The peak RSS is also printed without the
// framebuffer mapping (a file's page cache here, not memory a real /dev/fb0 costs), for the
// first-frame children as well, and the size of this binary (linked like kioskd).
//
// The harness itself uses Glibc only (posix_spawn, write), so its own code adds little to the
// figures; `--no-first-frame` skips the child processes (for valgrind, which cannot follow them).
import FoundationEssentials
import KioskCore
import KioskFramebuffer
import KioskKeypad
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

var arguments = Array(CommandLine.arguments.dropFirst())
var assets = "Kiosk"
var firstFrameOnly = false
var skipFirstFrame = false
var coldStarts = false
var mappedFirstFrame = false
var iterations = 100
var estimatorName = Configuration().estimator
var eventsPath: String?, writeEventsPath: String?, reportPath: String?, glyphCachePath: String?, layoutsPath: String?
while let a = arguments.first {
    arguments.removeFirst()
    switch a {
    case "--assets": assets = arguments.isEmpty ? assets : arguments.removeFirst()
    case "--first-frame": firstFrameOnly = true
    case "--no-first-frame": skipFirstFrame = true
    case "--cold": coldStarts = true
    case "--mapped-first-frame": mappedFirstFrame = true
    case "--events": eventsPath = arguments.isEmpty ? nil : arguments.removeFirst()
    case "--write-events": writeEventsPath = arguments.isEmpty ? nil : arguments.removeFirst()
    case "--report": reportPath = arguments.isEmpty ? nil : arguments.removeFirst()
    case "--glyph-cache": glyphCachePath = arguments.isEmpty ? nil : arguments.removeFirst()
    case "--write-layouts": layoutsPath = arguments.isEmpty ? nil : arguments.removeFirst(); skipFirstFrame = true
    case "--iterations": iterations = max(1, Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? iterations)
    case "--estimator":
        estimatorName = arguments.isEmpty ? "" : arguments.removeFirst()
        if !WaitEstimators.names.contains(estimatorName) { fail("unknown estimator \(estimatorName); use one of \(WaitEstimators.names.joined(separator: ", "))") }
    default: fail("unknown option \(a); use --assets DIR, --iterations N, --no-first-frame, --cold, --mapped-first-frame, --estimator NAME, --write-events PATH, --write-layouts PATH, --first-frame --events PATH")
    }
}

guard case .success(let catalogs) = CatalogParser.loadAll(directory: assets + "/messages") else {
    fail("cannot load \(assets)/messages; run from the source tree or pass --assets DIR")
}
let start = Date(timeIntervalSince1970: 1_795_482_000)

@MainActor func benchConfiguration() -> Configuration {
    var configuration = Configuration()
    configuration.estimator = estimatorName  // the lobby's screens ask it for every service
    return configuration
}
/// The lobby's advice; kioskd computes it from four weeks of stored tickets.
let quietHoursAdvice = QuietHoursAdvice(busy: [9, 10, 14], quiet: [8, 12, 16])

/// The busy morning of the golden tests: queues, care alerts, calls, advice; and the events it
/// stored, which a starting kioskd replays.
@MainActor func busyMorningWithEvents() -> (KioskMachine, Date, [KioskEvent]) {
    var m = KioskMachine(configuration: benchConfiguration(), catalog: catalogs[.chinese], day: "2026-11-24")
    var t = start
    var events: [KioskEvent] = []
    func handle(_ input: KioskInput) { events += m.handle(input).events }
    func press(_ keys: String, _ s: StationID) {
        for ch in keys { handle(.key(ch == "E" ? .enter : Key(name: String(ch))!, station: s, at: t)) }
    }
    press("01001E1234E", .counter(1)); press("01002E1234E", .counter(2))
    for service in ["1", "1", "2", "3", "6", "4", "1", "5"] { press(service + "E", .lobby); t += 30 }
    press("*6E", .lobby)
    t += 11 * 60
    handle(.tick(t))
    press("+", .counter(1)); press("+", .counter(2))
    handle(.quietHours(quietHoursAdvice))
    handle(.tick(t))
    return (m, t, events)
}
@MainActor func busyMorning() -> (KioskMachine, Date) {
    let (m, t, _) = busyMorningWithEvents()
    return (m, t)
}
/// When the busy morning ends (the first-frame child draws at that time).
let busyMorningEnd = start.addingTimeInterval(8 * 30 + 11 * 60)

/// Writes the busy morning's events as kioskd stores them (one JSON document a line, as in the
/// `events` table's payload), after checking that a machine restored from them with the advice
/// shows exactly the lobby the busy morning's own machine shows.
@MainActor func writeEvents(to path: String) {
    let (machine, t, events) = busyMorningWithEvents()
    if t != busyMorningEnd { fail("the busy morning ends at \(t), not \(busyMorningEnd)") }
    var restored = KioskMachine.restore(configuration: benchConfiguration(), catalog: catalogs[.chinese], events: events, now: t)
    _ = restored.handle(.quietHours(quietHoursAdvice))
    let builder = ScreenBuilder(catalogs: catalogs)
    if builder.lobby(restored, now: t) != builder.lobby(machine, now: t) { fail("the replayed busy morning's lobby differs from the one it was recorded from") }
    let encoder = KioskEvent.makeEncoder()
    var bytes: [UInt8] = []
    for e in events { bytes += must("encoding an event") { Array(try encoder.encode(e)) } + [10] }
    let fd = must("writing \(path)") { try Posix.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644) }
    _ = must("writing \(path)") { try Posix.writeAll(fd, bytes) }
    Posix.close(fd)
}

if let writeEventsPath {
    writeEvents(to: writeEventsPath)
    exit(0)
}

let fbFolder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
let fbPath = fbFolder + "/kiosk-bench-\(getpid()).fb"
let geometry = FramebufferGeometry(width: 1920, height: 1080, format: .xrgb8888)

/// The file-backed framebuffer, unlinked as soon as it is mapped: the mapping keeps it while this
/// process runs, and no exit path (the child's `exit`, a failure) leaves 8 MB behind.
func openFramebuffer() -> Framebuffer {
    let framebuffer = must("framebuffer file") { try Framebuffer.openFile(fbPath, geometry: geometry) }
    unlink(fbPath)
    return framebuffer
}

if firstFrameOnly {
    // Child: everything a starting kioskd does before its first frame is visible: the stored
    // events decoded and replayed (kioskd reads them from SQLite; the bench's harness does not
    // link it), fonts, the display, and the lobby without estimates (ScreenBuilder.showsEstimates).
    guard let eventsPath else { fail("--first-frame needs --events PATH (written by kiosk-bench --write-events PATH)") }
    let events = readAll(eventsPath).split(separator: 10).map { line in  // as KioskStorage does
        must("decoding an event") { try line.withUnsafeBytes { try KioskEvent.decodeStored($0, decoder: KioskEvent.makeDecoder()) } }
    }
    let t = busyMorningEnd
    var machine = KioskMachine.restore(configuration: benchConfiguration(), catalog: catalogs[.chinese], events: events, now: t)
    let fonts = must("font") { try FontSet.cached { _ in glyphCachePath } }  // as kioskd's FontLibrary does
    let framebuffer = openFramebuffer()
    // As kioskd draws on a /dev/fb device (Framebuffer.openDevice): with write(2), the mapping
    // untouched. --mapped-first-frame writes through the file's mapping instead, as this bench
    // did before: every page of an 8 MB ext4 file faulted in and allocated, which a device's
    // memory does not cost.
    framebuffer.writesThroughDevice = !mappedFirstFrame
    let display = StationDisplay(framebuffer: framebuffer, painter: ScreenPainter(fonts: fonts))
    var firstFrameBuilder = ScreenBuilder(catalogs: catalogs)
    firstFrameBuilder.showsEstimates = false
    display.show(firstFrameBuilder.lobby(machine, now: t))
    let firstFrameAt = now()
    if getenv("KIOSK_BENCH_STOP_AT_FIRST_FRAME") != nil { exit(0) }  // for callgrind: the first frame's own instructions
    // Then as kioskd (KioskService.loadDeferredHistory): the history replayed again (kioskd: seven
    // days; here the one stored day), the quiet hours, and the settled lobby with its estimates.
    machine = KioskMachine.restore(configuration: benchConfiguration(), catalog: catalogs[.chinese], events: events, now: t)
    _ = machine.handle(.quietHours(quietHoursAdvice))
    display.show(ScreenBuilder(catalogs: catalogs).lobby(machine, now: t))
    if let glyphCachePath { must("glyph cache") { try fonts.saveGlyphCache(path: glyphCachePath) } }  // as kioskd after its first settled frame
    if let reportPath, let fd = try? Posix.open(reportPath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644) {
        _ = try? Posix.writeAll(fd, Array("\(firstFrameAt) \(ownPeakKB())".utf8))
        Posix.close(fd)
    }
    if getenv("KIOSK_BENCH_SMAPS") != nil {  // where the child's resident pages are, by mapping
        if let fd = try? Posix.open("/proc/self/smaps", O_RDONLY) {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while case .processed(let n)? = chunk.withUnsafeMutableBytes({ try? Posix.read(fd, into: $0, path: "smaps") }), n > 0 {
                _ = try? Posix.writeAll(STDERR_FILENO, Array(chunk[0..<n]))
            }
        }
    }
    exit(0)
}

/// This process's peak resident set in kB since its exec (VmHWM), 0 if unknown. The first-frame
/// child reports its own: the ru_maxrss its parent gets counted the parent's resident set at the
/// spawn as well (posix_spawn's child runs in the parent's memory until exec, and exec keeps that
/// memory's peak), and the bench process is larger than the child.
func ownPeakKB() -> Int {
    guard let fd = try? Posix.open("/proc/self/status", O_RDONLY) else { return 0 }
    defer { Posix.close(fd) }
    var bytes = [UInt8](repeating: 0, count: 4096)  // small: reading must not raise the peak it reads
    guard case .processed(let n)? = bytes.withUnsafeMutableBytes({ try? Posix.read(fd, into: $0, path: "status") }) else { return 0 }
    let status = String(decoding: bytes[0..<n], as: UTF8.self)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0  // "VmHWM:\t  8920 kB"
}

// First frame: spawn ourselves and time until the child has flushed its first frame (it says
// when, on the same monotonic clock) and until it has drawn the settled frame and exited.
let framebufferMB = Double(geometry.width * geometry.height * 4) / 1_048_576
var firstFrames: [Double] = [], settledFrames: [Double] = [], coldFrames: [Double] = [], childPeaks: [Double] = []
var uncachedFrame = Double.nan, uncachedPeak = Double.nan
let childEvents = fbPath + ".events", childReport = fbPath + ".report", childGlyphs = fbPath + ".glyphs"
if !skipFirstFrame { writeEvents(to: childEvents) }
/// One first-frame child: when it had flushed its first frame, when it exited, its peak RSS.
@MainActor func firstFrameChild() -> (drawn: Double, exited: Double, peak: Double) {
    unlink(childReport)
    let t0 = now()
    guard runSelf(["--first-frame", "--assets", assets, "--estimator", estimatorName, "--events", childEvents, "--report", childReport,
                   "--glyph-cache", childGlyphs] + (mappedFirstFrame ? ["--mapped-first-frame"] : [])) != nil else {
        fail("the first-frame child failed")
    }
    let exited = now() - t0
    let report = String(decoding: readAll(childReport), as: UTF8.self).split(separator: " ")
    guard report.count == 2, let drawn = Double(report[0]), let peakKB = Double(report[1]), peakKB > 0 else {
        fail("the first-frame child did not say when it drew and its peak RSS")
    }
    return (drawn - t0, exited, peakKB / 1024)
}
if !skipFirstFrame {
    // The very first start renders every glyph and writes the glyph cache that the later ones read.
    unlink(childGlyphs)
    (uncachedFrame, _, uncachedPeak) = firstFrameChild()
}
for cold in coldStarts ? [false, true] : [false] {
    for _ in 0..<(skipFirstFrame ? 0 : 5) {
        if cold { dropCaches() }
        let child = firstFrameChild()
        if cold { coldFrames.append(child.drawn) } else { firstFrames.append(child.drawn); settledFrames.append(child.exited); childPeaks.append(child.peak) }
    }
}
unlink(childEvents); unlink(childReport); unlink(childGlyphs)

let fontStart = now()
let fonts = must("font") { try FontSet() }
let fontLoad = now() - fontStart
let painter = ScreenPainter(fonts: fonts)
let framebuffer = openFramebuffer()
let display = StationDisplay(framebuffer: framebuffer, painter: painter)
let builder = ScreenBuilder(catalogs: catalogs)
var (machine, clock) = busyMorning()
let busiest = builder.lobby(machine, now: clock)
if let layoutsPath {
    writeLayouts(to: layoutsPath, painter: painter, width: geometry.width, height: geometry.height,
                 lobby: busiest, counter: builder.counter(1, machine, now: clock))
    exit(0)
}

// Full frame: lay out, draw every pixel and write it to the framebuffer: what the kiosk draws when
// it gets the console back from another VT (and more than it does for a new screen).
_ = display.show(busiest)  // warm the glyph cache, as a running kiosk has it
/// `iterations` runs of `draw`, each timed.
@MainActor func timedRuns(_ draw: () -> Void) -> [Double] {
    var times: [Double] = []
    for _ in 0..<iterations {
        let t0 = now()
        draw()
        times.append(now() - t0)
    }
    return times
}
/// Full frames, timed; a function of its own for `callgrind --toggle-collect='*fullFrames*'`.
@inline(never) @MainActor func fullFrames() -> [Double] { timedRuns { display.repaintAll() } }
let full = fullFrames()
/// The same full frame as kioskd writes it after a VT switch on a device (`redrawAll`): each band
/// with one write(2) instead of copied into the mapping. Apart from `fullFrames`, so that
/// callgrind's `--toggle-collect='*fullFrames*'` still counts only the frames into the mapping;
/// not optimised, or the compiler merges the two into one function (`fullFramesTm`), which the
/// toggle would count whole. (The frame's own code is optimised in KioskFramebuffer.)
@_optimize(none) @inline(never) @MainActor func writtenFullFrames() -> [Double] { timedRuns { display.redrawAll() } }
let writtenFull = writtenFullFrames()

// Layout of the busiest screen by the display's painter, which laid it out before (as in the
// full frame: its paragraphs are remembered), and by a new painter (a screen not seen before).
var layouts: [Double] = [], firstLayouts: [Double] = []
for _ in 0..<iterations {
    let t0 = now()
    _ = painter.layout(busiest, width: 1920, height: 1080)
    layouts.append(now() - t0)
    let fresh = ScreenPainter(fonts: fonts)
    let t1 = now()
    _ = fresh.layout(busiest, width: 1920, height: 1080)
    firstLayouts.append(now() - t1)
}

/// "A100" …: a ticket number without String(format:).
func ticket(_ n: Int) -> String { "A" + String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n) }

// Update: the counter's ticket number changes (A100 → A101 …): layout, diff, draw and flush the changed area.
var counterScreen = builder.counter(1, machine, now: clock)
_ = display.show(counterScreen)
/// The counter screen with the next ticket number in its banner.
@MainActor func nextNumber(_ n: Int) -> Screen { withBanner(counterScreen, ticket(n)) }
/// The updates through the file's mapping, timed; the pixels the last one wrote. A function of
/// its own so `valgrind --tool=callgrind --toggle-collect='*mappedNumberUpdates*'` counts only them.
@inline(never) @MainActor func mappedNumberUpdates() -> (times: [Double], pixels: Int) {
    var times: [Double] = [], pixels = 0
    for i in 0..<iterations {
        let next = nextNumber(100 + i)
        let t0 = now()
        let rects = display.show(next)
        times.append(now() - t0)
        pixels = rects.reduce(0) { $0 + $1.area }
        counterScreen = next
    }
    return (times, pixels)
}
/// The same update as a device gets it: whole rows written with write(2) (Framebuffer.writesThroughDevice).
@inline(never) @MainActor func writtenNumberUpdates() -> [Double] {
    display.framebuffer.writesThroughDevice = true
    defer { display.framebuffer.writesThroughDevice = false }
    var times: [Double] = []
    for i in 0..<iterations {
        let next = nextNumber(200 + i)
        let t0 = now()
        _ = display.show(next)
        times.append(now() - t0)
        counterScreen = next
    }
    return times
}
let (updates, updatedPixels) = mappedNumberUpdates()
let writtenUpdates = writtenNumberUpdates()

// Key to flush: input_event bytes through a pipe into the keypad reader, then the whole path.
guard let (keyReader, keyWriter) = try? Posix.pipe(nonBlocking: false) else { fail("pipe failed") }
let device = RawEventDevice(fileDescriptor: keyReader, name: "bench")
var decoder = KeypadDecoder(keyMap: .defaultEvdev)
var keyLatencies: [Double] = []
_ = display.show(builder.lobby(machine, now: clock))
for i in 0..<iterations {
    let code: UInt16 = i % 2 == 0 ? 79 : 14  // KP1 (choose repairs) / Backspace (back)
    let bytes = [InputEvent(time: 0, type: 1, code: code, value: 1), InputEvent(time: 0, type: 0, code: 0, value: 0),
                 InputEvent(time: 0, type: 1, code: code, value: 0), InputEvent(time: 0, type: 0, code: 0, value: 0)].flatMap(\.bytes)
    let t0 = now()
    _ = try? Posix.writeAll(keyWriter, bytes)
    var pfd = [pollfd(fd: keyReader, events: Int16(POLLIN), revents: 0)]
    _ = try? Posix.poll(&pfd, timeoutMilliseconds: 1000)
    for item in device.drain().items {
        guard case .event(let e) = item else { continue }
        for case .key(let k) in decoder.feed(e) { _ = machine.handle(.key(k, station: .lobby, at: clock)) }
    }
    let rects = display.show(builder.lobby(machine, now: clock))
    keyLatencies.append(now() - t0)
    if rects.isEmpty { fail("a key changed nothing on screen") }
}

// One wait estimate, as the lobby asks one per service at every redraw: the default forecast
// (a simulation of the line) against rolling (a product) on the same state; then a line of 40,
// and the proactive care alert's forecast of every waiting ticket at once.
@MainActor func estimateCost(_ estimator: any WaitEstimator, _ m: KioskMachine, at t: Date, all: Bool = false) -> Double {
    var times: [Double] = []
    for _ in 0..<iterations {
        let t0 = now()
        if all { _ = estimator.estimatesForWaiting(state: m.state, now: t, horizon: 600) } else {
            _ = estimator.estimate(.newTicket(service: "repairs", priority: false), state: m.state, now: t)
        }
        times.append(now() - t0)
    }
    return median(times)
}
@MainActor func longLine() -> (KioskMachine, Date) {
    var (m, t) = busyMorning()
    for i in 0..<32 { _ = m.handle(.key(.digit([1, 2, 3, 4, 6, 1, 2, 5][i % 8]), station: .lobby, at: t)); _ = m.handle(.key(.enter, station: .lobby, at: t)); t += 20 }
    return (m, t)
}
let rollingEstimator = RollingWaitEstimator(window: machine.configuration.estimateWindow, services: machine.configuration.services)
let forecastEstimator = ForecastWaitEstimator(configuration: machine.configuration)
let (long, longClock) = longLine()
let estimateFigures = (forecast: estimateCost(forecastEstimator, machine, at: clock), rolling: estimateCost(rollingEstimator, machine, at: clock),
                       longForecast: estimateCost(forecastEstimator, long, at: longClock), longRolling: estimateCost(rollingEstimator, long, at: longClock),
                       all: estimateCost(forecastEstimator, long, at: longClock, all: true))

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let peakMB = Double(usage.ru_maxrss) / 1024

let resident = residency(framebufferPath: fbPath)
var binary = stat()
let binaryMB = stat("/proc/self/exe", &binary) == 0 ? Double(binary.st_size) / 1_048_576 : .nan
writeOut("""
kiosk-bench: busiest screen (lobby, busy morning) at 1920×1080×32 (XRGB8888), font \(fonts.sources[0])
  full-frame render   \(ms(median(full)))   (median of \(iterations); layout, draw and convert 2,073,600 pixels in \(StationDisplay.bandHeight)-row bands, write them)
    with write(2)     \(ms(median(writtenFull)))   (as after a VT switch on a /dev/fb device: one write(2) a band, here into a file in \(fbFolder))
    of which layout   \(ms(median(layouts)))   (median; its paragraphs wrapped before; a screen laid out the first time \(ms(median(firstLayouts))))
  update (1 number)   \(ms(median(updates), 3))   (median; layout, compare, draw and flush \(updatedPixels) of 2,073,600 pixels)
    with write(2)     \(ms(median(writtenUpdates)))   (as on a /dev/fb device: the changed rows written whole)
  key-to-flush        \(ms(median(keyLatencies)))   (median; evdev bytes → decoder → machine → screen → flush; no SQLite commit)
  wait estimate       forecast \(ms(estimateFigures.forecast)), rolling \(µs(estimateFigures.rolling))   (median; a new repairs ticket, \
busy morning's \(machine.state.waitingTickets.count) waiting, \(forecastEstimator.runs) simulated runs; the screens above use \(estimatorName))
    line of \(long.state.waitingTickets.count)        forecast \(ms(estimateFigures.longForecast)), rolling \(µs(estimateFigures.longRolling)); \
every waiting ticket at once, 10 minutes ahead (care forecast, every 30 s) \(ms(estimateFigures.all))
  first frame         \(ms(median(firstFrames)))   (median of 5 process starts: exec, events replayed, font load \(ms(fontLoad)), draw \
without estimates, flush \(mappedFirstFrame ? "through the file's mapping" : "with write(2) as on a /dev/fb device"))
    settled, exit     \(ms(median(settledFrames)))   (median; then the history again, the estimates and the lobby's changes drawn, exit)
    no glyph cache    \(ms(uncachedFrame))   (the first start, which renders every glyph and writes the cache; peak RSS \(decimals(uncachedPeak, 1)) MB)\(coldStarts ? "\n    cold cache      \(ms(median(coldFrames)))   (median of 5, page cache dropped before each start)" : "")
    peak RSS w/o fb   \(decimals(median(childPeaks) - (mappedFirstFrame ? framebufferMB : 0), 1)) MB   (first-frame child, median; \
\(mappedFirstFrame ? "its peak RSS less the \(decimals(framebufferMB, 1)) MB framebuffer mapping" : "its peak RSS: the mapping is not touched"))
  peak RSS            \(decimals(peakMB, 1)) MB   (this process, CJK font loaded, \(fonts.cachedGlyphCount) glyphs cached; \
Swift runtime \(resident.swiftRuntimeShared ? "in shared libraries: build with --static-swift-stdlib as shipped" : "linked statically, as shipped"))
    resident at exit  \(decimals(resident.total, 1)) MB: framebuffer mapping \(decimals(resident.framebuffer, 1)), font files \(decimals(resident.fonts, 1)), \
program and libraries \(decimals(resident.program, 1)), heap and stacks \(decimals(resident.anonymous, 1))
    without fb        \(decimals(peakMB - resident.framebuffer, 1)) MB   (this process's peak less the framebuffer mapping)
  binary              \(decimals(binaryMB, 1)) MB   (this executable, not stripped; kioskd links the same way)

""")
