import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file only the members of one group may open, and a way to try opening it as a user who is
/// not a member, so tests meet a real `EACCES` the way an unprivileged kioskd meets one on
/// /dev/fb0 or /dev/input/event3, also when the tests run as root.
public struct DeniedDevice {
    public let path: String
    /// The group that owns the file (the one to join).
    public let group: String

    /// Creates `name` in a new temporary folder. As root it belongs to root:`preferredGroup`
    /// (video, input…) with mode 0660, and `open` runs with the file-system user `nobody`. As any
    /// other user it keeps the user's own group with mode 0060 (owners are denied before groups
    /// are consulted).
    public init(name: String, preferredGroup: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-denied-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        path = folder.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: Data([0])) else { throw DeniedDeviceError("cannot create \(path)") }
        if getuid() == 0, let entry = getgrnam(preferredGroup) {
            guard chown(path, 0, entry.pointee.gr_gid) == 0, chmod(path, 0o660) == 0 else { throw DeniedDeviceError("cannot set up \(path)") }
            group = preferredGroup
        } else {
            guard chmod(path, 0o060) == 0, let entry = getgrgid(getegid()) else { throw DeniedDeviceError("cannot set up \(path)") }
            group = String(cString: entry.pointee.gr_name)
        }
    }

    /// Runs `body` on a thread of its own whose file-system user is `nobody` when running as
    /// root (`setfsuid` changes only the calling thread and drops its file capabilities), and
    /// returns its result.
    public func asOutsider<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            if getuid() == 0 { _ = setFileSystemUser(65534) }
            box.value = body()
            if getuid() == 0 { _ = setFileSystemUser(0) }
            done.signal()
        }
        thread.start()
        done.wait()
        return box.value!
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

/// glibc's `setfsuid` (<sys/fsuid.h>, which the Glibc module does not import).
private func setFileSystemUser(_ uid: uid_t) -> Int32 {
    typealias SetFSUID = @convention(c) (uid_t) -> Int32
    guard let symbol = dlsym(nil, "setfsuid") else { fatalError("glibc has no setfsuid") }
    return unsafeBitCast(symbol, to: SetFSUID.self)(uid)
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?  // written by the thread before it signals, read after the wait
}

struct DeniedDeviceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
