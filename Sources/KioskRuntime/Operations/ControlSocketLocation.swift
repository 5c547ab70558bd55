#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where a daemon's control socket is: one rule for `kioskd`, which listens there, and
/// `kioskctl`, which looks there, so that `kioskctl --state-dir DIR` reaches a `kioskd --demo
/// --state-dir DIR` (which listens in its state folder, needing no root for /run) as well as the
/// system daemon in /run/kiosk.
public enum ControlSocketLocation {
    public static let name = "control.sock"
    /// systemd's `RuntimeDirectory=kiosk`.
    public static let defaultDirectory = "/run/kiosk"

    /// The folder `kioskd` listens in: `--runtime-dir`; else, with `--demo`, its state folder;
    /// else /run/kiosk.
    public static func daemonDirectory(runtimeDirectory: String?, demo: Bool, stateDirectory: String) -> String {
        runtimeDirectory ?? (demo ? stateDirectory : defaultDirectory)
    }

    /// The socket `kioskctl` talks to: in `--runtime-dir` (or `$KIOSK_RUNTIME_DIR`) when given;
    /// else the socket a `kioskd --demo` on `stateDirectory` listens on, when it is there; else
    /// the system daemon's in /run/kiosk.
    public static func clientPath(
        runtimeDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment, stateDirectory: String,
        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String {
        if let directory = runtimeDirectory ?? environment["KIOSK_RUNTIME_DIR"] { return directory + "/" + name }
        let demo = daemonDirectory(runtimeDirectory: nil, demo: true, stateDirectory: stateDirectory) + "/" + name
        if exists(demo) { return demo }
        return daemonDirectory(runtimeDirectory: nil, demo: false, stateDirectory: stateDirectory) + "/" + name
    }
}
