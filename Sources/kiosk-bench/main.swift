// kiosk-bench: speed and size of the framebuffer kiosk, printed as figures (not a test).
//
//   swift build -c release --product kiosk-bench && .build/release/kiosk-bench [--assets Kiosk]
//
// For the busiest screen at 1920×1080×32 (XRGB8888) it prints: full-frame render (paint in RAM
// + convert + write every pixel to a file-backed framebuffer), a typical update (one ticket
// number changes: repaint, find changed tiles, flush them), key-event-to-flush latency (input_event
// bytes through a pipe, decoder, state machine, screen, paint, flush; storage not included),
// process start to first complete frame (a child process: exec, font load, paint, flush), and
// peak RSS with the CJK font loaded.
import Foundation
import KioskCore
import KioskFramebuffer
import KioskKeypad
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("kiosk-bench: " + message + "\n").utf8))
    exit(1)
}

func must<T>(_ message: String, _ body: () throws -> T) -> T {
    do { return try body() } catch { fail("\(message): \(error)") }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var assets = "Kiosk"
var firstFrameOnly = false
var iterations = 50
while let a = arguments.first {
    arguments.removeFirst()
    switch a {
    case "--assets": assets = arguments.isEmpty ? assets : arguments.removeFirst()
    case "--first-frame": firstFrameOnly = true
    case "--iterations": iterations = Int(arguments.isEmpty ? "" : arguments.removeFirst()) ?? iterations
    default: fail("unknown option \(a); use --assets DIR, --iterations N")
    }
}

guard case .success(let catalogs) = CatalogParser.loadAll(directory: assets + "/messages") else {
    fail("cannot load \(assets)/messages; run from the source tree or pass --assets DIR")
}
let start = Date(timeIntervalSince1970: 1_795_482_000)

/// The busy morning of the golden tests: queues, care alerts, calls, advice.
func busyMorning() -> (KioskMachine, Date) {
    var m = KioskMachine(configuration: Configuration(), catalog: catalogs[.chinese], day: "2026-11-24")
    var t = start
    func press(_ keys: String, _ s: StationID) {
        for ch in keys { _ = m.handle(.key(ch == "E" ? .enter : Key(name: String(ch))!, station: s, at: t)) }
    }
    press("01001E1234E", .counter(1)); press("01002E1234E", .counter(2))
    for service in ["1", "1", "2", "3", "6", "4", "1", "5"] { press(service + "E", .lobby); t += 30 }
    press("*6E", .lobby)
    t += 11 * 60
    _ = m.handle(.tick(t))
    press("+", .counter(1)); press("+", .counter(2))
    m.quietHours = (busy: [9, 10, 14], quiet: [8, 12, 16])
    _ = m.handle(.tick(t))
    return (m, t)
}

let fbPath = NSTemporaryDirectory() + "kiosk-bench-\(getpid()).fb"
defer { unlink(fbPath) }
let geometry = FramebufferGeometry(width: 1920, height: 1080, format: .xrgb8888)

if firstFrameOnly {
    // Child: everything a starting kioskd does before its first frame is visible.
    let (machine, t) = busyMorning()
    let fonts = must("font") { try FontSet() }
    let display = StationDisplay(framebuffer: must("framebuffer file") { try Framebuffer.openFile(fbPath, geometry: geometry) },
                                 painter: ScreenPainter(fonts: fonts))
    display.show(ScreenBuilder(catalogs: catalogs).lobby(machine, now: t))
    exit(0)
}

// First frame: spawn ourselves and time until the child has flushed its frame and exited.
var firstFrames: [Double] = []
for _ in 0..<5 {
    let t0 = now()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    p.arguments = ["--first-frame", "--assets", assets]
    do { try p.run() } catch { fail("cannot start \(CommandLine.arguments[0]): \(error)") }
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { fail("first-frame child failed") }
    firstFrames.append(now() - t0)
}

let fontStart = now()
let fonts = must("font") { try FontSet() }
let fontLoad = now() - fontStart
let painter = ScreenPainter(fonts: fonts)
let framebuffer = must("framebuffer file") { try Framebuffer.openFile(fbPath, geometry: geometry) }
let display = StationDisplay(framebuffer: framebuffer, painter: painter)
let builder = ScreenBuilder(catalogs: catalogs)
var (machine, clock) = busyMorning()
let busiest = builder.lobby(machine, now: clock)

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }

// Full frame: paint everything and push every pixel.
_ = display.show(busiest)  // warm the glyph cache, as a running kiosk has it
var full: [Double] = []
for _ in 0..<iterations {
    let t0 = now()
    painter.paint(busiest, on: display.canvas)
    framebuffer.flushAll(display.canvas)
    full.append(now() - t0)
}

var layouts: [Double] = []
var flushes: [Double] = []
for _ in 0..<iterations {
    let t0 = now()
    _ = painter.layout(busiest, width: 1920, height: 1080)
    let t1 = now()
    framebuffer.flushAll(display.canvas)
    layouts.append(t1 - t0)
    flushes.append(now() - t1)
}

// Update: the counter's ticket number changes (A002 → A003 …): repaint, diff, flush changed tiles.
var counterScreen = builder.counter(1, machine, now: clock)
_ = display.show(counterScreen)
var updates: [Double] = []
var updatedPixels = 0
for i in 0..<iterations {
    var next = counterScreen
    next.blocks = next.blocks.map { if case .banner(_, let tone) = $0 { return .banner(String(format: "A%03d", 100 + i), tone) } else { return $0 } }
    let t0 = now()
    let rects = display.show(next)
    updates.append(now() - t0)
    updatedPixels = rects.reduce(0) { $0 + $1.area }
    counterScreen = next
}

// Key to flush: input_event bytes through a pipe into the keypad reader, then the whole path.
var fds: [Int32] = [0, 0]
guard pipe(&fds) == 0 else { fail("pipe failed") }
let device = RawEventDevice(fileDescriptor: fds[0], name: "bench")
var decoder = KeypadDecoder(keyMap: .defaultEvdev)
var keyLatencies: [Double] = []
_ = display.show(builder.lobby(machine, now: clock))
for i in 0..<iterations {
    let code: UInt16 = i % 2 == 0 ? 79 : 14  // KP1 (choose repairs) / Backspace (back)
    let bytes = [InputEvent(time: 0, type: 1, code: code, value: 1), InputEvent(time: 0, type: 0, code: 0, value: 0),
                 InputEvent(time: 0, type: 1, code: code, value: 0), InputEvent(time: 0, type: 0, code: 0, value: 0)].flatMap(\.bytes)
    let t0 = now()
    _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
    var pfd = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
    _ = poll(&pfd, 1, 1000)
    for item in device.drain().items {
        guard case .event(let e) = item else { continue }
        for case .key(let k) in decoder.feed(e) { _ = machine.handle(.key(k, station: .lobby, at: clock)) }
    }
    let rects = display.show(builder.lobby(machine, now: clock))
    keyLatencies.append(now() - t0)
    if rects.isEmpty { fail("a key changed nothing on screen") }
}

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let rssMB = Double(usage.ru_maxrss) / 1024

print("""
kiosk-bench: busiest screen (lobby, busy morning) at 1920×1080×32 (XRGB8888), font \(fonts.sources[0])
  full-frame render   \(ms(median(full)))   (median of \(iterations); paint + convert + write 2,073,600 pixels)
    of which layout   \(ms(median(layouts))), flush of every pixel \(ms(median(flushes)))
  update (1 number)   \(ms(median(updates)))   (median; \(updatedPixels) pixels flushed of 2,073,600)
  key-to-flush        \(ms(median(keyLatencies)))   (median; evdev bytes → decoder → machine → screen → flush; no SQLite commit)
  first frame         \(ms(median(firstFrames)))   (median of 5 process starts: exec, font load \(ms(fontLoad)), paint, flush)
  peak RSS            \(String(format: "%.1f MB", rssMB))   (this process, CJK font loaded, \(fonts.cachedGlyphCount) glyphs cached)
""")
