// kiosk-bench's harness: clock, output, files, child processes and the resident pages, with
// Glibc only, so its own code adds little to the figures (see main.swift).
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func writeOut(_ text: String, to fd: Int32 = STDOUT_FILENO) {
    _ = try? Posix.writeAll(fd, Array(text.utf8))
}

func fail(_ message: String) -> Never {
    writeOut("kiosk-bench: " + message + "\n", to: STDERR_FILENO)
    exit(1)
}

func must<T>(_ message: String, _ body: () throws -> T) -> T {
    do { return try body() } catch { fail("\(message): \(error)") }
}

/// `value` (not negative) with `places` decimals; String(format:) would bring Foundation's
/// formatting code into the measured process.
func decimals(_ value: Double, _ places: Int = 2) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = String(scaled / Int(scale))
    let fraction = String(scaled % Int(scale))
    return places == 0 ? whole : whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
}

/// The whole file at `path`.
func readAll(_ path: String) -> [UInt8] {
    let fd = must("reading \(path)") { try Posix.open(path, O_RDONLY) }
    defer { Posix.close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while case .processed(let n)? = chunk.withUnsafeMutableBytes({ try? Posix.read(fd, into: $0, path: path) }), n > 0 { bytes += chunk[0..<n] }
    return bytes
}

/// Runs this executable with `arguments` and waits for it; its peak RSS in MB, or nil when it could
/// not start or failed.
func runSelf(_ arguments: [String]) -> Double? {
    let argv: [UnsafeMutablePointer<CChar>?] = (["/proc/self/exe"] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/proc/self/exe", nil, nil, argv, environ) == 0 else { return nil }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) == -1 { guard errno == EINTR else { return nil } }
    return status == 0 ? Double(usage.ru_maxrss) / 1024 : nil
}

/// Empties the page cache (clean pages only: `sync` first), so the next start reads the binary,
/// the font and the assets from storage, as after a power cut.
func dropCaches() {
    sync()
    guard let fd = try? Posix.open("/proc/sys/vm/drop_caches", O_WRONLY), (try? Posix.writeAll(fd, Array("3\n".utf8))) != nil else {
        fail("--cold cannot write /proc/sys/vm/drop_caches; run kiosk-bench as root (or leave out --cold)")
    }
    Posix.close(fd)
}

func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }
func ms(_ s: Double, _ places: Int = 2) -> String { decimals(s * 1000, places) + " ms" }
func µs(_ s: Double) -> String { decimals(s * 1_000_000, 1) + " µs" }

/// What the resident pages are now, by kind, from /proc/self/smaps (in MB).
struct Residency {
    var framebuffer = 0.0, fonts = 0.0, program = 0.0, anonymous = 0.0
    var swiftRuntimeShared = false
    var total: Double { framebuffer + fonts + program + anonymous }
}

/// `framebufferPath`: the framebuffer file, whose mapping is counted apart.
func residency(framebufferPath: String) -> Residency {
    var r = Residency()
    guard let fd = try? Posix.open("/proc/self/smaps", O_RDONLY) else { return r }
    defer { Posix.close(fd) }
    // Read whole before parsing, so the parsing's own allocations are not in the snapshot.
    let bytes = [UInt8](unsafeUninitializedCapacity: 1 << 20) { buffer, count in
        count = 0
        while count < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + count, count: buffer.count - count)
            guard case .processed(let n) = try? Posix.read(fd, into: rest, path: "/proc/self/smaps"), n > 0 else { break }
            count += n
        }
    }
    var path = ""
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if let first = fields.first, first.contains("-"), first.first?.isHexDigit == true, fields.count >= 5 {
            path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
            if path.hasSuffix("/libswiftCore.so") { r.swiftRuntimeShared = true }
        } else if fields.first == "Rss:", fields.count >= 2, let kb = Double(fields[1]) {
            let mb = kb / 1024
            if path.hasPrefix(framebufferPath) { r.framebuffer += mb }  // "PATH (deleted)"
            else if path.hasSuffix(".ttc") || path.hasSuffix(".ttf") || path.hasSuffix(".otf") { r.fonts += mb }
            else if path.hasPrefix("/") { r.program += mb }
            else if path.isEmpty || path == "[heap]" || path.hasPrefix("[stack") || path.hasPrefix("[anon") { r.anonymous += mb }
            else { r.program += mb }  // [vdso], [vvar]: the kernel's, mapped into every process
        }
    }
    return r
}

