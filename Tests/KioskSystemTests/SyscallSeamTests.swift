import Foundation
import KioskSystem
import KioskTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

// MARK: - A real signal interrupting a blocking read

/// How many times the test signal's handler ran. Initialised before the handler is installed.
private let interruptions = Atomic<Int>(0)

/// Installed without SA_RESTART, like the daemon's own handlers: a blocking call the signal
/// reaches fails with EINTR instead of being restarted by the kernel.
private func countInterruption(_ signal: Int32) { interruptions.add(1, ordering: .relaxed) }

/// SIGURG: ignored by default, used by nothing else in the tests.
private let testSignal = SIGURG

private func installInterruptingHandler() {
    _ = interruptions.load(ordering: .relaxed)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = countInterruption
    action.sa_flags = 0
    sigemptyset(&action.sa_mask)
    sigaction(testSignal, &action, nil)
}

/// What the reading thread did, shared with the test's thread.
private final class Reader: @unchecked Sendable {
    let lock = NSLock()
    private var _thread: pthread_t?
    private var _tid: String?
    private var _done = false
    var thread: pthread_t? { lock.withLock { _thread } }
    var tid: String? { lock.withLock { _tid } }
    /// The read has returned (with data, or with an error it did not get past).
    var done: Bool { lock.withLock { _done } }
    let finished = DispatchSemaphore(value: 0)

    /// Starts `read` on a thread of its own; it publishes its pthread and kernel thread id first.
    init(_ read: @escaping @Sendable () -> Void) {
        Thread { [self] in
            // Threads inherit the signal mask of the one that starts them, and the test runner's
            // threads block most signals: let this one take the test signal.
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, testSignal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            // /proc/thread-self is "PID/task/TID".
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
            lock.withLock { _thread = pthread_self(); _tid = String(link.split(separator: "/").last ?? "") }
            read()
            lock.withLock { _done = true }
            finished.signal()
        }.start()
    }

    /// Spins (no sleeping) until the thread is blocked in read(2), as the kernel reports it in
    /// /proc/self/task/TID/syscall ("0 …" is SYS_read on x86_64, "63 …" on arm64), or its read
    /// has returned.
    func waitUntilBlockedInRead() {
        while tid == nil { sched_yield() }
        let file = "/proc/self/task/\(tid!)/syscall"
        #if arch(x86_64)
        let readCall = "0 "
        #else
        let readCall = "63 "
        #endif
        while !done && !Reader.contents(of: file).hasPrefix(readCall) { sched_yield() }
    }

    /// A /proc file's text (its size is reported as 0, so read until end of file).
    static func contents(of path: String) -> String {
        guard let fd = try? Posix.open(path, O_RDONLY | O_CLOEXEC) else { return "" }
        defer { Posix.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        guard case .processed(let n) = try? Posix.read(fd, into: &buffer) else { return "" }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// Sends the test signal to the thread while it is blocked in read, `times` times, each
    /// time once the handler has run and the thread is blocked again (stops early if the read
    /// gave up).
    func interrupt(times: Int) {
        for _ in 0..<times {
            waitUntilBlockedInRead()
            if done { return }
            let before = interruptions.load(ordering: .relaxed)
            pthread_kill(thread!, testSignal)
            while interruptions.load(ordering: .relaxed) == before { sched_yield() }
        }
        waitUntilBlockedInRead()
    }
}

private final class Outcome<T>: @unchecked Sendable {
    var value: T?  // written before `finished` is signalled, read after
}

@Suite("The system-call seam", .serialized)
struct SyscallSeamTests {
    @Test("a blocking read interrupted by a signal is made again and gets the data")
    func readRetriedAfterSignal() throws {
        installInterruptingHandler()
        let (r, w) = try Posix.pipe(nonBlocking: false)
        defer { Posix.close(r); Posix.close(w) }
        let outcome = Outcome<Result<[UInt8], SystemError>>()
        let reader = Reader {
            var buffer = [UInt8](repeating: 0, count: 8)
            outcome.value = Result { () throws(SystemError) -> [UInt8] in
                guard case .processed(let n) = try Posix.read(r, into: &buffer) else { return [] }
                return Array(buffer[0..<n])
            }
        }
        let before = interruptions.load(ordering: .relaxed)
        reader.interrupt(times: 3)
        #expect(interruptions.load(ordering: .relaxed) - before == 3)
        var byte: UInt8 = 42
        #expect(write(w, &byte, 1) == 1)
        reader.finished.wait()
        #expect(try outcome.value?.get() == [42])
    }

    @Test("the same read without the seam fails with EINTR (so the test above can fail)")
    func plainReadIsInterrupted() throws {
        installInterruptingHandler()
        let (r, w) = try Posix.pipe(nonBlocking: false)
        defer { Posix.close(r); Posix.close(w) }
        let outcome = Outcome<(Int, Int32)>()
        let reader = Reader {
            var byte: UInt8 = 0
            let n = read(r, &byte, 1)
            outcome.value = (n, errno)
        }
        reader.waitUntilBlockedInRead()
        pthread_kill(reader.thread!, testSignal)
        reader.finished.wait()
        #expect(outcome.value?.0 == -1)
        #expect(outcome.value?.1 == EINTR)
    }

    // MARK: - Non-blocking descriptors

    @Test("an empty non-blocking pipe would block; a full one takes what fits")
    func nonBlockingPipe() throws {
        let (r, w) = try Posix.pipe(nonBlocking: true)
        // Closed once each: a second close of `w` after the one below closed whatever another
        // test had opened with that number meanwhile (a call-out's pipe: its child died of
        // SIGPIPE; a crash probe's FileHandle: EBADF), since tests run in parallel.
        var writeEndOpen = true
        defer {
            Posix.close(r)
            if writeEndOpen { Posix.close(w) }
        }
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(try Posix.read(r, into: &buffer) == .wouldBlock)

        let capacity = Int(fcntl(w, 1032))  // F_GETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 8), not imported
        let big = [UInt8](repeating: 7, count: capacity * 4)
        #expect(try Posix.writeAll(w, big, whenFull: .stop) == capacity)

        Posix.close(w)
        writeEndOpen = false
        var total = 0
        while case .processed(let n) = try Posix.read(r, into: &buffer), n > 0 {
            total += n
        }
        #expect(total == capacity)
    }

    // MARK: - Errors that say what to do

    @Test("opening a missing path names the call, the path and what to check")
    func missingPath() {
        let path = "/nonexistent-kiosk-\(getpid())/fb9"
        #expect {
            _ = try Posix.open(path, O_RDWR)
        } throws: { error in
            guard let e = error as? SystemError else { return false }
            return e.code == .noSuchFileOrDirectory && e.call == "open" && e.path == path
                && e.description == "open \(path): No such file or directory; check that \(path) exists and that the configuration names it correctly"
        }
    }

    @Test("a device only a group may open: the advice names that group")
    func permissionDenied() throws {
        let device = try DeniedDevice(name: "fb0", preferredGroup: "video")
        defer { device.remove() }
        let path = device.path
        let result = device.asOutsider { Result { () throws(SystemError) in try Posix.open(path, O_RDWR) } }
        if case .success(let fd) = result { Posix.close(fd) }
        #expect(throws: SystemError(.permissionDenied, call: "open", path: path)) { try result.get() }
        let error = try #require(result.failureValue)
        #expect(error.description == "open \(path): Permission denied; add the user kioskd runs as to the '\(device.group)' group, which owns \(path)")
    }

    @Test("a descriptor used the wrong way is reported as a bug, with the call")
    func wrongDescriptor() throws {
        let (r, w) = try Posix.pipe(nonBlocking: true)
        defer { Posix.close(r); Posix.close(w) }
        var buffer = [UInt8](repeating: 0, count: 1)
        let result = Result { () throws(SystemError) in try Posix.read(w, into: &buffer, path: "the test pipe") }
        #expect(result.failureValue?.description == "read the test pipe: Bad file descriptor; this is a kioskd bug; please report it with the log")
    }

    @Test("a child's exit status through waitpid")
    func waitForChild() throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup("exit 3"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0)
        let (child, status) = try Posix.waitpid(pid)
        #expect(child == pid)
        #expect((status >> 8) & 0xFF == 3)
        #expect(throws: SystemError(.noChildProcess, call: "waitpid")) { try Posix.waitpid(pid) }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
