import Foundation
import KioskPrinting
import KioskRuntime
import KioskSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Printer and control-socket failures met through real failing calls: the log line says what
/// went wrong and what to do, and the failed call is kept.
@Suite("System errors in operations")
struct SystemErrorMessageTests {
    @Test func printerNotThere() throws {
        let path = "/nonexistent-kiosk/usb/lp0"
        guard case .failure(let f) = TicketPrinter(path: path).print(Array("A001\n".utf8)) else {
            Issue.record("a missing printer printed")
            return
        }
        #expect(f.problem == .offline)
        #expect(f.cause == SystemError(.noSuchFileOrDirectory, call: "open", path: path))
        #expect(f.detail == "open \(path): No such file or directory; switch the printer on and check its cable, or printer = in kiosk.conf")
    }

    /// A printer that stops taking data (a FIFO nobody reads): the ticket is reported busy with
    /// how much went out, at once, without waiting.
    @Test func printerThatTakesNoMoreData() throws {
        let path = NSTemporaryDirectory() + "kiosk-lp-\(getpid())"
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let reader = try Posix.open(path, O_RDONLY | O_NONBLOCK)
        defer { Posix.close(reader) }
        let capacity = Int(fcntl(reader, 1032))  // F_GETPIPE_SZ, not imported
        let job = [UInt8](repeating: 0x41, count: capacity * 2)
        guard case .failure(let f) = TicketPrinter(path: path).print(job) else {
            Issue.record("a printer that takes no data printed")
            return
        }
        #expect(f.problem == .busy)
        #expect(f.detail == "\(path) took \(capacity) of \(job.count) bytes and then no more; check the printer (paper, cover, cable)")
    }

    @Test func controlSocketWithoutDaemon() throws {
        let path = NSTemporaryDirectory() + "kiosk-no-daemon-\(getpid()).sock"
        #expect {
            _ = try ControlClient.send(line: "status", socketPath: path)
        } throws: { error in
            "\(error)" == "connect \(path): No such file or directory (is kioskd running? check: systemctl status kioskd)"
        }
    }
}
