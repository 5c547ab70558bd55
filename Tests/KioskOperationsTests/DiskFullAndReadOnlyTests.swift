import Foundation
import KioskCore
import KioskRuntime
import KioskStorage
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs of its own (root only): a disk that really fills up, or really is read-only.
private final class SmallDisk {
    let path: String
    private(set) var mounted = false

    init?(kilobytes: Int) {
        path = makeTemporaryFolder("disk")
        mounted = Self.mount(["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
        if !mounted { try? FileManager.default.removeItem(atPath: path); return nil }
    }

    func remountReadOnly() -> Bool { Self.mount(["-o", "remount,ro", path]) }

    static func mount(_ arguments: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = arguments
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    deinit {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/umount")
        p.arguments = [path]
        try? p.run()
        p.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file until the disk says ENOSPC; returns its path.
    func fill() -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let chunk = [UInt8](repeating: 0x55, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return filler
    }
}

private let setup: KioskSetup = try! KioskSetup.load(configPath: assetsFolder + "/kiosk.conf", assets: assetsFolder).get()

private func takeTicket(_ service: KioskService, at now: Date) {
    service.handle(.key(.digit(1), station: .lobby, at: now))
    service.handle(.key(.enter, station: .lobby, at: now))
}

@Suite("Disk full and read-only state folder")
struct DiskFullAndReadOnlyTests {
    @Test func aFullDiskRefusesTicketsClearlyLosesNothingAndRecovers() throws {
        guard let disk = SmallDisk(kilobytes: 1024) else {
            Issue.record("cannot mount a tmpfs (not root?): the disk-full case is not tested here")
            return
        }
        let state = disk.path + "/state"
        var now = Date(timeIntervalSince1970: 1_796_284_800)  // 2026-12-03 08:00 UTC
        let service = try KioskService(setup: setup, stateDirectory: state, now: now)
        for _ in 0..<3 { now += 30; takeTicket(service, at: now) }
        #expect(service.storageProblem == nil)
        let filler = disk.fill()

        var tries = 0
        while service.storageProblem == nil && tries < 500 { tries += 1; now += 30; takeTicket(service, at: now) }
        let problem = try #require(service.storageProblem, "the disk never filled after \(tries) tickets")
        #expect(problem.contains("the disk is full"), "\(problem)")
        #expect(problem.contains("free some space"), "\(problem)")
        let stored = try service.store.events().filter { $0.event.type == .ticketIssued }.count
        #expect(service.machine.state.order.count == stored, "the kiosk shows only what is stored")
        let lobby = service.screen(for: .lobby, now: now)
        #expect(lobby.blocks.contains(.heading("暂停取号，请到窗口咨询")))
        #expect(!"\(lobby)".contains("disk"), "residents do not see the error")
        #expect("\(service.screen(for: .counter(1), now: now))".contains("the disk is full"), "staff do")

        now += 30
        service.handle(.tick(now))
        #expect(service.storageProblem != nil, "still full")
        try FileManager.default.removeItem(atPath: filler)
        now += 5
        service.handle(.tick(now))
        #expect(service.storageProblem != nil, "tried again at most every 10 s")
        now += 10
        service.handle(.tick(now))
        #expect(service.storageProblem == nil, "the lobby is back by itself once there is room")
        #expect(!service.screen(for: .lobby, now: now).blocks.contains(.heading("暂停取号，请到窗口咨询")))
        now += 30
        takeTicket(service, at: now)
        #expect(service.storageProblem == nil, "stored again once there is room")
        let numbers = try service.store.events().filter { $0.event.type == .ticketIssued }.map { $0.event.number ?? 0 }
        #expect(numbers == Array(1...numbers.count), "numbers run on without gap or repeat: \(numbers)")
        let last = try service.store.lastSequence()
        service.store.close()
        let reopened = try KioskService(setup: setup, stateDirectory: state, now: now)
        #expect(try reopened.store.lastSequence() == last)
        reopened.store.close()
    }

    @Test func aReadOnlyStateFolderIsRefusedWithWhatToDo() throws {
        guard let disk = SmallDisk(kilobytes: 1024) else {
            Issue.record("cannot mount a tmpfs (not root?): the read-only case is not tested here")
            return
        }
        let state = disk.path + "/state"
        let now = Date(timeIntervalSince1970: 1_796_284_800)
        let first = try KioskService(setup: setup, stateDirectory: state, now: now)
        takeTicket(first, at: now)
        first.store.close()
        #expect(disk.remountReadOnly())

        var message = ""
        do {
            _ = try KioskService(setup: setup, stateDirectory: state, now: now)
            Issue.record("a read-only state folder was accepted")
        } catch { message = "\(error)" }
        #expect(message.contains("read-only file system"), "\(message)")
        #expect(message.contains("remount"), "\(message)")
        // A state folder that cannot even be created there:
        do {
            _ = try KioskService(setup: setup, stateDirectory: disk.path + "/new", now: now)
            Issue.record("a state folder on a read-only disk was accepted")
        } catch { #expect("\(error)".contains("cannot create the state folder"), "\(error)") }
    }
}
