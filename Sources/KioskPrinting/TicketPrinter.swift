import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a ticket did not print. The raw value is stored in the `printer.failed` event and picks
/// the staff alert's wording (`printer.problem.<raw value>` in the catalogs).
public enum PrinterProblem: String, Sendable, CaseIterable {
    /// The device is missing, unplugged or switched off (ENOENT, ENODEV, ENXIO, EIO on open).
    case offline
    /// The printer reports paper out (LPGETSTATUS).
    case paperOut = "paper-out"
    /// The printer does not take data now (EAGAIN or a short write).
    case busy
    /// Any other write error.
    case error
}

public struct PrintFailure: Error, Equatable, CustomStringConvertible {
    public var problem: PrinterProblem
    /// For the log: the device and the system's words.
    public var detail: String
    public var description: String { "\(problem.rawValue): \(detail)" }
}

/// The receipt printer device (`/dev/usb/lp0`). Every job opens the device anew without blocking
/// (a printer unplugged and plugged back in simply works again), asks for its paper status when
/// the driver offers it, and writes without blocking. Any trouble is returned, never waited on:
/// issuing a ticket must not depend on the printer.
public struct TicketPrinter: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The Linux printer driver's `LPGETSTATUS` request and its paper-out bit (`<linux/lp.h>`).
    static let lpGetStatus: UInt = 0x060B
    static let paperOutBit: Int32 = 0x20

    public func print(_ job: [UInt8]) -> Result<Void, PrintFailure> {
        let fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)  // O_APPEND: a file stands in for a printer in previews and tests
        guard fd >= 0 else {
            let code = errno
            let problem: PrinterProblem = [ENOENT, ENODEV, ENXIO, EIO, EBUSY].contains(code) ? .offline : .error
            return .failure(PrintFailure(problem: problem, detail: "open \(path): \(String(cString: strerror(code)))"))
        }
        defer { close(fd) }
        var status: Int32 = 0
        if ioctl(fd, TicketPrinter.lpGetStatus, &status) == 0, status & TicketPrinter.paperOutBit != 0 {
            return .failure(PrintFailure(problem: .paperOut, detail: "\(path) reports paper out"))
        }
        var offset = 0
        while offset < job.count {
            let n = job.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n; continue }
            let code = errno
            if n < 0 && code == EINTR { continue }
            if n < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                return .failure(PrintFailure(problem: .busy, detail: "\(path) took \(offset) of \(job.count) bytes and then no more"))
            }
            let problem: PrinterProblem = [ENODEV, EIO, ENXIO].contains(code) ? .offline : .error
            return .failure(PrintFailure(problem: problem, detail: "write \(path): \(String(cString: strerror(code)))"))
        }
        return .success(())
    }
}
