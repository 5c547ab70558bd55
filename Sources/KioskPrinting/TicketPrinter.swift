#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
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
    /// For the log: the device, the system's words and what to do.
    public var detail: String
    /// The system call that failed, when one did.
    public var cause: SystemError?

    public init(problem: PrinterProblem, detail: String, cause: SystemError? = nil) {
        self.problem = problem; self.detail = detail; self.cause = cause
    }

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
        let fd: Int32
        do throws(SystemError) {
            fd = try Posix.open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)  // O_APPEND: a file stands in for a printer in previews and tests
        } catch {
            let offline: Set<Errno> = [.noSuchFileOrDirectory, .noSuchDevice, .noSuchDeviceOrAddress, .ioError, .busy]
            return .failure(TicketPrinter.failure(error, offline: offline.contains(error.code)))
        }
        defer { Posix.close(fd) }
        var status: Int32 = 0
        if (try? syscall("ioctl LPGETSTATUS", path: path) { ioctl(fd, TicketPrinter.lpGetStatus, &status) }) != nil, status & TicketPrinter.paperOutBit != 0 {
            return .failure(PrintFailure(problem: .paperOut, detail: "\(path) reports paper out; load paper"))
        }
        do throws(SystemError) {
            let written = try Posix.writeAll(fd, job, path: path, whenFull: .stop)
            if written < job.count {
                return .failure(PrintFailure(problem: .busy, detail: "\(path) took \(written) of \(job.count) bytes and then no more; check the printer (paper, cover, cable)"))
            }
        } catch {
            let offline: Set<Errno> = [.noSuchDevice, .ioError, .noSuchDeviceOrAddress]
            return .failure(TicketPrinter.failure(error, offline: offline.contains(error.code)))
        }
        return .success(())
    }

    /// A failed call as a print failure; an offline printer's advice is about the printer.
    static func failure(_ error: SystemError, offline: Bool) -> PrintFailure {
        guard offline else { return PrintFailure(problem: .error, detail: error.description, cause: error) }
        return PrintFailure(problem: .offline, detail: "\(error.message); switch the printer on and check its cable, or printer = in kiosk.conf", cause: error)
    }
}
