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

/// What an input device says about itself, enough to choose a keypad by capability.
public struct InputDeviceInfo: Equatable, Sendable {
    public var path: String
    public var name: String
    /// Bus type from `EVIOCGID` (`0x03` USB, `0x11` the i8042 PS/2 port, `0x05` Bluetooth).
    public var bus: UInt16
    /// The `EV_KEY` codes the device reports.
    public var keys: Set<UInt16>

    public static let busUSB: UInt16 = 0x03

    public init(path: String, name: String, bus: UInt16, keys: Set<UInt16>) {
        self.path = path; self.name = name; self.bus = bus; self.keys = keys
    }
}

extension EvemuRecording {
    /// The recorded device, as if it were plugged in at `path`, so recorded keypads can be
    /// matched like real ones.
    public func device(at path: String) -> InputDeviceInfo {
        InputDeviceInfo(path: path, name: deviceName ?? "", bus: bus ?? 0, keys: keys)
    }
}

extension KeypadMatch {
    /// Whether a device has every key this selection needs.
    public func accepts(_ device: InputDeviceInfo) -> Bool { keys.allSatisfy(device.keys.contains) }

    /// The devices to try, best first: USB before anything else (a laptop's or a PS/2 keyboard
    /// also has a keypad block, but the kiosk's keypads are USB), then by event number, so the
    /// choice is the same at every start.
    public func candidates(_ devices: [InputDeviceInfo]) -> [InputDeviceInfo] {
        devices.filter(accepts).sorted { a, b in
            if (a.bus == InputDeviceInfo.busUSB) != (b.bus == InputDeviceInfo.busUSB) { return a.bus == InputDeviceInfo.busUSB }
            return Self.eventNumber(a.path) < Self.eventNumber(b.path)
        }
    }

    static func eventNumber(_ path: String) -> Int {
        Int(path.reversed().prefix { $0.isNumber }.reversed().map(String.init).joined()) ?? Int.max
    }
}

/// Finds the keypad for an `auto` station among `/dev/input/event*`: the first candidate that can
/// be grabbed. The grab is what shares devices out: a keypad another station (or another
/// program) holds answers `EBUSY` and the next one is tried.
public enum InputDeviceScanner {
    /// Every event device in `folder` that can be read, described.
    public static func devices(in folder: String = "/dev/input") -> (devices: [InputDeviceInfo], unreadable: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("event") }
        var found: [InputDeviceInfo] = []
        var unreadable: [String] = []
        for name in names {
            let path = folder + "/" + name
            guard let fd = try? Posix.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) else { unreadable.append(path); continue }
            defer { Posix.close(fd) }
            var dev: OpaquePointer?
            guard libevdev_new_from_fd(fd, &dev) == 0, let dev else { continue }
            defer { libevdev_free(dev) }
            var keys = Set<UInt16>()
            for code in KeyMap.evdevScanCodes where libevdev_has_event_code(dev, UInt32(EV_KEY), UInt32(code)) == 1 { keys.insert(code) }
            let deviceName = libevdev_get_name(dev).map { String(cString: $0) } ?? name
            found.append(InputDeviceInfo(path: path, name: deviceName, bus: UInt16(truncatingIfNeeded: libevdev_get_id_bustype(dev)), keys: keys))
        }
        return (found, unreadable)
    }

    /// Opens and grabs the best free device for `match` in `folder`.
    public static func openFirst(matching match: KeypadMatch, in folder: String = "/dev/input",
                                 opener: (String) throws -> KeypadDevice = { try LibevdevDevice.open($0) }) throws -> (KeypadDevice, path: String) {
        let (devices, unreadable) = self.devices(in: folder)
        return try openFirst(matching: match, among: devices, unreadable: unreadable, folder: folder, opener: opener)
    }

    /// Tries the candidates best first; one that cannot be opened or grabbed is passed over.
    public static func openFirst(matching match: KeypadMatch, among devices: [InputDeviceInfo], unreadable: [String] = [], folder: String,
                                 opener: (String) throws -> KeypadDevice) throws -> (KeypadDevice, path: String) {
        var busy: [String] = []
        for candidate in match.candidates(devices) {
            do { return (try opener(candidate.path), candidate.path) } catch { busy.append(candidate.path) }
        }
        var message = "no free input device in \(folder) has \(match.keyNames.joined(separator: ", "))"
        if !busy.isEmpty { message += " (\(busy.joined(separator: ", ")) in use by another station or program)" }
        if !unreadable.isEmpty { message += "; \(unreadable.count) devices could not be opened: run kioskd as a member of the input group" }
        throw KeypadError(.noFreeDevice, message + "; waiting for one to be plugged in (or name it: keypad = /dev/input/by-id/…-event-kbd)")
    }
}
