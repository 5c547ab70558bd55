import Foundation
import KioskCore
import KioskRuntime
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The repository's `Kiosk/` assets folder.
let assetsFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.path + "/Kiosk/messages/zh-Hans.catalog") { return url.path + "/Kiosk" }
    }
    return "Kiosk"
}()

/// A fresh folder under /tmp, removed by the caller when it likes (left for post-mortems otherwise).
func makeTemporaryFolder(_ name: String = "ops") -> String {
    let path = NSTemporaryDirectory() + "kiosk-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A kiosk with a real configuration file and a real SQLite state folder.
struct Rig {
    let folder: String
    let configPath: String
    let service: KioskService
    let operations: DaemonOperations
    let loop = PollLoop()

    init(notifier: SystemdNotifier = SystemdNotifier(environment: [:]), configText: String? = nil,
         runtimeDirectory: String? = nil, stateDirectory: String? = nil, clock: @escaping () -> Date = Date.init) throws {
        folder = makeTemporaryFolder()
        configPath = folder + "/kiosk.conf"
        let text = try configText ?? String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let setup = try KioskSetup.load(configPath: configPath, assets: assetsFolder).get()
        let state = stateDirectory ?? folder + "/state"
        service = try KioskService(setup: setup, stateDirectory: state, now: Date())
        operations = DaemonOperations(service: service, options: .init(
            runtimeDirectory: runtimeDirectory ?? folder + "/run", configPath: configPath, assets: assetsFolder, language: nil, stateDirectory: state),
            notifier: notifier, clock: clock)
    }

    var socketPath: String { operations.socketPath }

    /// Runs the daemon's loop on this thread while `client` runs on another; returns when the
    /// client is done. This is how kioskd runs: one loop thread, clients in other processes.
    func run<T: Sendable>(handleSignals: Bool = false, _ client: @escaping @Sendable () throws -> T) throws -> T {
        operations.attach(to: loop, handleSignals: handleSignals)
        return try run(client, until: { true })
    }

    /// Like `run`, for an already attached rig: also keeps the loop going until `done()` (checked
    /// on the loop's thread) is true.
    func run<T: Sendable>(_ client: @escaping @Sendable () throws -> T, until done: @escaping () -> Bool) throws -> T {
        let result = ResultBox<T>()
        let thread = Thread {
            let r = Result { try client() }
            result.value.withLock { $0 = r }
        }
        thread.start()
        loop.every(0.005) { [loop] in if result.value.withLock({ $0 != nil }) && done() { loop.stop() } }
        loop.run()
        operations.detach()
        return try result.value.withLock { $0! }.get()
    }
}

final class ResultBox<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
}
