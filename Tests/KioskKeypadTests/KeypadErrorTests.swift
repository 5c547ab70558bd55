import Foundation
import KioskKeypad
import KioskSystem
import KioskTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Keypads that cannot be used, met through real failing calls: each error has a code, the
/// failed call as its cause, and a message that says what to do.
@Suite("Keypad errors")
struct KeypadErrorTests {
    static func error(_ body: () throws -> Void) -> KeypadError? {
        do { try body() } catch let e as KeypadError { return e } catch {}
        return nil
    }

    @Test func keypadNotPluggedIn() throws {
        let path = "/nonexistent-kiosk/by-id/usb-keypad-event-kbd"
        let e = try #require(Self.error { _ = try LibevdevDevice.open(path) })
        #expect(e.code == .cannotOpen)
        #expect(e.cause == SystemError(.noSuchFileOrDirectory, call: "open", path: path))
        #expect(e.description == "cannot open keypad \(path): No such file or directory (not plugged in?); it is opened as soon as it appears, or check keypad = in kiosk.conf (ls /dev/input/by-id)")
    }

    @Test func keypadOnlyTheInputGroupMayOpen() throws {
        let device = try DeniedDevice(name: "event3", preferredGroup: "input")
        defer { device.remove() }
        let path = device.path
        let e = try #require(device.asOutsider { Self.error { _ = try LibevdevDevice.open(path) } })
        #expect(e.code == .cannotOpen)
        #expect(e.description == "cannot open keypad \(path): Permission denied; run kioskd as a member of the input group")
        #expect(e.cause?.hint == "add the user kioskd runs as to the '\(device.group)' group, which owns \(path)")
    }

    @Test func fileThatIsNotAnInputDevice() throws {
        let path = NSTemporaryDirectory() + "kiosk-keypad-\(getpid())-not-evdev"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 24)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = try #require(Self.error { _ = try LibevdevDevice.open(path) })
        #expect(e.code == .notAnInputDevice)
        #expect(e.cause?.call == "libevdev_new_from_fd")
        #expect(e.description == "\(path) is not an input event device (Inappropriate ioctl for device); use a /dev/input/by-id/…-event-kbd path")
    }

    @Test func missingRecording() throws {
        let e = try #require(Self.error { _ = try EvemuRecording.load(path: "/nonexistent-kiosk/keys.evemu") })
        #expect(e.code == .cannotReadRecording)
        #expect(e.description == "evemu recording /nonexistent-kiosk/keys.evemu does not exist; record one with evemu-record, or fix keypad = evemu:PATH in kiosk.conf")
    }
}
