import Foundation
import KioskFramebuffer
import KioskSystem
import KioskTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Displays that cannot be used, met through real failing calls: each error has a code, the
/// failed call as its cause, and a message that says what to do.
@Suite("Display errors")
struct DisplayErrorTests {
    static func scratch(_ name: String) -> String { NSTemporaryDirectory() + "kiosk-display-\(getpid())-\(name)" }

    static func error(_ body: () throws -> Void) -> DisplayError? {
        do { try body() } catch let e as DisplayError { return e } catch {}
        return nil
    }

    @Test func missingDevice() throws {
        let path = "/nonexistent-kiosk/fb7"
        let e = try #require(Self.error { _ = try Framebuffer.openDevice(path) })
        #expect(e.code == .cannotOpen)
        #expect(e.cause == SystemError(.noSuchFileOrDirectory, call: "open", path: path))
        #expect(e.description == "cannot open framebuffer \(path): No such file or directory; check display = fb:… in kiosk.conf (ls /dev/fb*)")
    }

    @Test func deviceOnlyTheVideoGroupMayOpen() throws {
        let device = try DeniedDevice(name: "fb0", preferredGroup: "video")
        defer { device.remove() }
        let path = device.path
        let e = try #require(device.asOutsider { Self.error { _ = try Framebuffer.openDevice(path) } })
        #expect(e.code == .cannotOpen)
        #expect(e.cause?.code == .permissionDenied)
        #expect(e.description == "cannot open framebuffer \(path): Permission denied; run kioskd as a member of the video group")
        #expect(e.cause?.hint == "add the user kioskd runs as to the '\(device.group)' group, which owns \(path)")
    }

    @Test func fileThatIsNotAFramebuffer() throws {
        let path = Self.scratch("not-fb")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 64)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = try #require(Self.error { _ = try Framebuffer.openDevice(path) })
        #expect(e.code == .notAFramebuffer)
        #expect(e.cause == SystemError(.notATerminal, call: "ioctl FBIOGET_VSCREENINFO", path: path))
        #expect(e.description == "\(path) is not a framebuffer (FBIOGET_VSCREENINFO: Inappropriate ioctl for device); use display = fb:/dev/fbN")
    }

    @Test func fileFramebufferInAMissingFolder() throws {
        let path = "/nonexistent-kiosk/screen.raw"
        let e = try #require(Self.error { _ = try Framebuffer.openFile(path, geometry: FramebufferGeometry(width: 8, height: 8, format: .xrgb8888)) })
        #expect(e.code == .cannotOpen)
        #expect(e.description == "cannot open framebuffer file \(path): No such file or directory; check the folder exists and is writable")
    }

    @Test func consoleThatIsNotAVirtualConsole() throws {
        let path = Self.scratch("not-a-tty")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = try #require(Self.error { _ = try ConsoleOwnership(path: path) })
        #expect(e.code == .notAConsole)
        #expect(e.cause?.call == "ioctl KDSETMODE")
        #expect(e.description == "\(path) is not a virtual console (KDSETMODE: Inappropriate ioctl for device); run kioskd on a virtual console (/dev/tty0, or TTYPath= in the unit)")
    }

    @Test func missingConsole() throws {
        let path = "/nonexistent-kiosk/tty9"
        let e = try #require(Self.error { _ = try ConsoleOwnership(path: path) })
        #expect(e.code == .cannotOpenConsole)
        #expect(e.cause?.code == .noSuchFileOrDirectory)
        #expect(e.description.hasSuffix("; run kioskd as root or give it the tty group (or its own VT: TTYPath= in the unit)"))
    }
}
