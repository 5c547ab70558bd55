import CEvdev
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// Something that calls a handler when a file descriptor is readable (the daemon's `PollLoop`).
public protocol ReadinessWatcher: AnyObject {
    func addReader(fd: Int32, _ handler: @escaping () -> Void)
    func removeReader(fd: Int32)
}

/// A station's keypad on an evdev device path (`/dev/input/by-id/…-event-kbd`), surviving
/// unplugs: when the device disappears it is closed, and an inotify watch on its folder (and on
/// `/dev/input`, since `by-id/` vanishes with the last USB keyboard) opens it again as soon as
/// it is back. Set the watch before the first open, so a device plugged in between is not missed.
public final class EvdevKeypad {
    public enum Status: Equatable, Sendable {
        case connected(name: String)
        case disconnected(reason: String)
    }

    /// The configured device path, or the `auto…` selection.
    public let path: String
    public private(set) var decoder: KeypadDecoder
    public private(set) var device: KeypadDevice?
    private let openDevice: () throws -> (device: KeypadDevice, label: String)
    /// Set for `auto` stations: the folder scanned (and watched) for a matching device.
    private let scannedFolder: String?
    private var inotifyFD: Int32 = -1
    private var watcher: ReadinessWatcher?
    private var onKey: (Key) -> Void = { _ in }
    /// Told about connects and disconnects (for the log).
    public var onStatus: (Status) -> Void = { _ in }
    /// The last reason the device could not be opened, to log each new reason once.
    private var lastProblem: String?

    /// - Parameter opener: opens the device (libevdev by default; tests inject pipes of event bytes).
    public init(path: String, keyMap: KeyMap, opener: @escaping (String) throws -> KeypadDevice = { try LibevdevDevice.open($0) }) {
        self.path = path
        self.decoder = KeypadDecoder(keyMap: keyMap)
        self.openDevice = { (try opener(path), "") }
        self.scannedFolder = nil
    }

    /// A keypad chosen by capability (`keypad = auto`): the best free device in `folder` that has
    /// the keys, picked again the same way after an unplug.
    public init(matching match: KeypadMatch, keyMap: KeyMap, folder: String = "/dev/input",
                opener: @escaping (String) throws -> KeypadDevice = { try LibevdevDevice.open($0) }) {
        self.path = match.description
        self.decoder = KeypadDecoder(keyMap: keyMap)
        self.openDevice = {
            let (device, path) = try InputDeviceScanner.openFirst(matching: match, in: folder, opener: opener)
            return (device, " at \(path)")
        }
        self.scannedFolder = folder
    }

    deinit { stop() }

    /// The folders watched for the device to (re)appear.
    public var watchedDirectories: [String] {
        if let scannedFolder { return [scannedFolder] }
        let folder = Path.folder(of: path)
        var dirs = [folder]
        let parent = Path.folder(of: folder)
        if folder.hasPrefix("/dev/input/") && !dirs.contains(parent) { dirs.append(parent) }
        return dirs
    }

    /// Starts watching for the device and opens it if present; keys go to `onKey`.
    public func start(watcher: ReadinessWatcher, onKey: @escaping (Key) -> Void) {
        self.watcher = watcher
        self.onKey = onKey
        inotifyFD = (try? syscall("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }) ?? -1
        if inotifyFD >= 0 {
            for dir in watchedDirectories {
                _ = try? syscall("inotify_add_watch", path: dir) { inotify_add_watch(inotifyFD, dir, UInt32(IN_CREATE | IN_ATTRIB | IN_MOVED_TO)) }
            }
            watcher.addReader(fd: inotifyFD) { [unowned self] in self.handleWatch() }
        }
        tryOpen()
    }

    public func stop() {
        if let device {
            watcher?.removeReader(fd: device.fileDescriptor)
            device.close()
        }
        device = nil
        if inotifyFD >= 0 {
            watcher?.removeReader(fd: inotifyFD)
            Posix.close(inotifyFD)
            inotifyFD = -1
        }
    }

    /// Opens the device if it is not open (also called from a slow timer as a safety net).
    public func tryOpen() {
        guard device == nil else { return }
        do {
            let (d, label) = try openDevice()
            device = d
            lastProblem = nil
            decoder = KeypadDecoder(codes: decoder.codes)
            watcher?.addReader(fd: d.fileDescriptor) { [unowned self] in self.handleDevice() }
            onStatus(.connected(name: d.name + label))
        } catch {
            let reason = "\(error)"
            if reason != lastProblem { onStatus(.disconnected(reason: reason)) }
            lastProblem = reason
        }
    }

    /// Reads the inotify events (whatever they name, the device path may now open).
    public func handleWatch() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case .processed(let n) = try? Posix.read(inotifyFD, into: &buffer), n > 0 {}
        tryOpen()
    }

    /// Drains the device and passes on the keys; closes it when unplugged.
    public func handleDevice() {
        guard let device else { return }
        let result = device.drain()
        for item in result.items {
            switch item {
            case .event(let e):
                for case .key(let k) in decoder.feed(e) { onKey(k) }
            case .resynced(let down):
                for k in decoder.resync(down: down) { onKey(k) }
            }
        }
        if result.unplugged {
            watcher?.removeReader(fd: device.fileDescriptor)
            device.close()
            self.device = nil
            onStatus(.disconnected(reason: "\(path) was unplugged; waiting for it to come back"))
            lastProblem = nil
            tryOpen()  // it may already be back
        }
    }
}
