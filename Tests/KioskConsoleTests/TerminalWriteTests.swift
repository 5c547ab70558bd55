import Foundation
import KioskConsole
import KioskSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

private final class Box<T>: @unchecked Sendable {
    var value: T?  // written before the semaphore is signalled, read after the wait
}

@Suite("Terminal output")
struct TerminalWriteTests {
    /// A terminal whose output is non-blocking and full (a slow SSH session) gets the whole
    /// frame, in order, once its reader catches up: `writeAll` waits for room instead of
    /// dropping the rest.
    @Test func aFullNonBlockingOutputGetsEverything() throws {
        let (r, w) = try Posix.pipe(nonBlocking: false)
        defer { Posix.close(r) }
        try Posix.setNonBlocking(w)
        let capacity = Int(fcntl(w, 1032))  // F_GETPIPE_SZ, not imported
        let frame = (0..<capacity * 3).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let wrote = Box<Bool>()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var bytes = frame
            wrote.value = Terminal.writeAll(fd: w, &bytes)
            Posix.close(w)
            done.signal()
        }.start()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case .processed(let n) = try Posix.read(r, into: &buffer), n > 0 { received += buffer[0..<n] }
        done.wait()
        #expect(wrote.value == true)
        #expect(received == frame)
    }

    /// Input from a pipe: what is there, nothing on a timeout, nil at the end.
    @Test func readsWhatIsThere() throws {
        let (r, w) = try Posix.pipe(nonBlocking: false)
        let terminal = Terminal(inputFD: r, outputFD: w)
        #expect(terminal.read(timeoutMilliseconds: 0) == [])
        #expect(try Posix.writeAll(w, Array("1E".utf8)) == 2)
        #expect(terminal.read(timeoutMilliseconds: 0) == Array("1E".utf8))
        Posix.close(w)
        #expect(terminal.read(timeoutMilliseconds: 0) == nil)
        Posix.close(r)
    }
}
