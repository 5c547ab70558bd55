#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What went wrong in a file operation, for a person: "/var/lib/kiosk: Permission denied" from
/// FileManager's and Data's errors (the C library's words for the system's error), anything else
/// as it describes itself. Foundation's `localizedDescription` needs its internationalisation
/// layer, which the daemon does not link; without it a FileManager error prints as a dump of its
/// fields.
public func errorText(_ error: any Error) -> String {
    guard let cocoa = error as? CocoaError else { return String(describing: error) }
    let reason: String
    if let posix = cocoa.underlying as? POSIXError {
        reason = String(cString: strerror(posix.code.rawValue))
    } else {
        reason = "error \(cocoa.code.rawValue)"
    }
    return cocoa.filePath.map { "\($0): \(reason)" } ?? reason
}
