import CEvdev
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// What draining a device produced.
public struct DrainResult: Equatable, Sendable {
    public enum Item: Equatable, Sendable {
        case event(InputEvent)
        /// Events were dropped and the device's key state was read again: these keys are down.
        case resynced(down: Set<UInt16>)
    }
    public var items: [Item] = []
    /// The device is gone (`ENODEV`, end of stream): close it and wait for it to come back.
    public var unplugged = false
    public init(items: [Item] = [], unplugged: Bool = false) { self.items = items; self.unplugged = unplugged }
}

/// An open input device the keypad reads from.
public protocol KeypadDevice: AnyObject {
    var fileDescriptor: Int32 { get }
    var name: String { get }
    /// Reads everything available now, without blocking.
    func drain() -> DrainResult
    func close()
}

/// A real evdev device through libevdev: opened non-blocking and grabbed (keys stop reaching the
/// console), drained until `-EAGAIN`, resynced after `SYN_DROPPED`.
public final class LibevdevDevice: KeypadDevice {
    public let fileDescriptor: Int32
    public let name: String
    private var device: OpaquePointer?

    public static func open(_ path: String) throws -> LibevdevDevice {
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) } catch {
            let hint = switch error.code {
            case .permissionDenied: "; run kioskd as a member of the input group"
            case .noSuchFileOrDirectory: " (not plugged in?); it is opened as soon as it appears, or check keypad = in kiosk.conf (ls /dev/input/by-id)"
            default: "; \(error.hint)"
            }
            throw KeypadError(.cannotOpen, "cannot open keypad \(path): \(error.code)\(hint)", cause: error)
        }
        var dev: OpaquePointer?
        if case .failure(let code) = valueOrNegatedErrno({ libevdev_new_from_fd(fd, &dev) }) {
            Posix.close(fd)
            throw KeypadError(.notAnInputDevice, "\(path) is not an input event device (\(code)); use a /dev/input/by-id/…-event-kbd path",
                              cause: SystemError(code, call: "libevdev_new_from_fd", path: path))
        }
        guard let dev else {
            Posix.close(fd)
            throw KeypadError(.notAnInputDevice, "\(path) is not an input event device; use a /dev/input/by-id/…-event-kbd path")
        }
        if case .failure(let code) = valueOrNegatedErrno({ libevdev_grab(dev, LIBEVDEV_GRAB) }) {
            libevdev_free(dev)
            Posix.close(fd)
            throw KeypadError(.cannotGrab, "cannot grab keypad \(path): \(code); is another program (another kioskd?) using it? Stop it, or give this station another keypad",
                              cause: SystemError(code, call: "ioctl EVIOCGRAB", path: path))
        }
        let name = libevdev_get_name(dev).map { String(cString: $0) } ?? path
        return LibevdevDevice(fd: fd, device: dev, name: name)
    }

    private init(fd: Int32, device: OpaquePointer, name: String) {
        self.fileDescriptor = fd; self.device = device; self.name = name
    }

    deinit { close() }

    public func drain() -> DrainResult {
        var result = DrainResult()
        guard let device else { result.unplugged = true; return result }
        var ev = input_event()
        var flags = LIBEVDEV_READ_FLAG_NORMAL.rawValue
        while true {
            switch valueOrNegatedErrno({ libevdev_next_event(device, flags, &ev) }) {
            case .success(Int32(LIBEVDEV_READ_STATUS_SUCCESS.rawValue)):
                if flags == LIBEVDEV_READ_FLAG_SYNC.rawValue { continue }  // state deltas: read from libevdev below
                result.items.append(.event(InputEvent(time: Double(ev.time.tv_sec) + Double(ev.time.tv_usec) / 1e6,
                                                      type: ev.type, code: ev.code, value: ev.value)))
            case .success(Int32(LIBEVDEV_READ_STATUS_SYNC.rawValue)):
                flags = LIBEVDEV_READ_FLAG_SYNC.rawValue
            case .failure(.wouldBlock):
                if flags == LIBEVDEV_READ_FLAG_SYNC.rawValue {
                    // The sync is complete: libevdev's state is the device's.
                    var down = Set<UInt16>()
                    for code in KeyMap.evdevScanCodes where libevdev_get_event_value(device, UInt32(EV_KEY), UInt32(code)) == 1 { down.insert(code) }
                    result.items.append(.resynced(down: down))
                    flags = LIBEVDEV_READ_FLAG_NORMAL.rawValue
                    continue
                }
                return result
            default:
                result.unplugged = true  // -ENODEV, or anything else: treat as gone
                return result
            }
        }
    }

    public func close() {
        if let device {
            libevdev_grab(device, LIBEVDEV_UNGRAB)
            libevdev_free(device)
            Posix.close(fileDescriptor)
        }
        device = nil
    }
}

/// `struct input_event` records read straight from a file descriptor (a pipe or socket relaying a
/// keypad; the tests feed real event bytes this way). End of stream or `ENODEV` is an unplug; a
/// `SYN_DROPPED` is resynced by assuming every key was released.
public final class RawEventDevice: KeypadDevice {
    public let fileDescriptor: Int32
    public let name: String
    private var pending: [UInt8] = []
    private var open = true

    public init(fileDescriptor: Int32, name: String) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        try? Posix.setNonBlocking(fileDescriptor, path: name)
    }

    deinit { close() }

    public func drain() -> DrainResult {
        var result = DrainResult()
        var buffer = [UInt8](repeating: 0, count: InputEvent.byteCount * 64)
        while open {
            let n: Int
            do throws(SystemError) {
                guard case .processed(let count) = try Posix.read(fileDescriptor, into: &buffer, path: name) else { return result }  // drained
                n = count
            } catch {
                result.unplugged = error.code == .noSuchDevice
                return result
            }
            if n > 0 {
                pending += buffer[0..<n]
                let whole = pending.count / InputEvent.byteCount * InputEvent.byteCount
                pending.withUnsafeBytes { raw in
                    for offset in stride(from: 0, to: whole, by: InputEvent.byteCount) {
                        let event = InputEvent(bytes: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + InputEvent.byteCount]))
                        result.items.append(.event(event))
                        if event.type == InputEvent.synchronization && event.code == InputEvent.synDropped {
                            result.items.append(.resynced(down: []))
                        }
                    }
                }
                pending.removeFirst(whole)
            } else {
                result.unplugged = true  // end of stream
                return result
            }
        }
        result.unplugged = true
        return result
    }

    public func close() {
        if open { Posix.close(fileDescriptor) }
        open = false
    }
}

import KioskCore

extension KeyMap {
    /// Every key code a kiosk key map can name, for reading key state after a resync.
    static let evdevScanCodes: [UInt16] = evdevCodes.values.sorted()
}
