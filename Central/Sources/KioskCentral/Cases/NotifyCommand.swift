import Foundation
import KioskAnnounce

#if canImport(Glibc)
    import Glibc
#endif

/// `--notify-command`: the program that tells a site's manager about an escalation (an SMS or
/// WeCom gateway script), split into words like the kiosk's `announce-command` and run without
/// a shell. Placeholders `{site}` `{ref}` `{level}` `{deadline}` `{assignee}` are filled in word
/// by word, so nothing in a value can become a command.
public struct NotifyCommand: Sendable {
    public let command: AnnounceCommand
    /// Seconds a run may take before it is stopped (SIGTERM, then SIGKILL 2 s later).
    public let timeout: Double

    public static let placeholders = ["{site}", "{ref}", "{level}", "{deadline}", "{assignee}"]

    public init(_ template: String, timeout: Double = 20) throws {
        do {
            command = try AnnounceCommand(template, setting: "--notify-command")
        } catch {
            throw CentralError(
                "\(error)", hint: "quote it once for your shell, e.g. --notify-command '/usr/local/bin/notify-manager {site} {ref} {level}'")
        }
        guard timeout > 0, timeout <= 3600 else {
            throw CentralError("--notify-timeout \(timeout) is out of range", hint: "give seconds between 1 and 3600 (default 20)")
        }
        self.timeout = timeout
    }

    /// The program and its arguments for one notification.
    public func arguments(site: String, ref: String, level: String, deadline: String, assignee: String) -> [String] {
        command.arguments(filling: ["site": site, "ref": ref, "level": level, "deadline": deadline, "assignee": assignee])
    }

    /// How one run ended.
    public struct Outcome: Sendable, Equatable {
        /// The exit status when the program exited by itself.
        public var exitStatus: Int32?
        /// The start of what it wrote (stdout and stderr together), at most `outputLimit` characters.
        public var output: String
        /// Why it failed when it did not exit with 0: could not start, timed out, killed, exit status.
        public var error: String?
        public var succeeded: Bool { error == nil }
    }

    public static let outputLimit = 2000

    /// Runs `argv` once with the time limit.
    public static func run(_ argv: [String], timeout: Double) async -> Outcome {
        guard let program = argv.first, let path = executablePath(program) else {
            return Outcome(
                exitStatus: nil, output: "",
                error: "cannot run \(argv.first ?? "(nothing)"): not found or not executable; check --notify-command (a full path is safest)")
        }
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-central-notify-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil), let sink = try? FileHandle(forWritingTo: outURL)
        else {
            return Outcome(exitStatus: nil, output: "", error: "cannot create a temporary file for the command's output in \(outURL.deletingLastPathComponent().path)")
        }
        defer {
            try? sink.close()
            try? FileManager.default.removeItem(at: outURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        process.standardOutput = sink
        process.standardError = sink
        process.standardInput = FileHandle.nullDevice
        let box = RunningProcess(process)
        let started: Result<(Int32, Process.TerminationReason), any Error> = await withCheckedContinuation { continuation in
            process.terminationHandler = { p in continuation.resume(returning: .success((p.terminationStatus, p.terminationReason))) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: .failure(error))
                return
            }
            box.startWatchdog(timeout: timeout)
        }
        box.stopWatchdog()
        let data = (try? Data(contentsOf: outURL)) ?? Data()
        let output = String(String(decoding: data, as: UTF8.self).prefix(outputLimit))
        switch started {
        case .failure(let error):
            return Outcome(exitStatus: nil, output: "", error: "cannot run \(path): \(error.localizedDescription)")
        case .success(let (status, reason)):
            if box.timedOut {
                return Outcome(exitStatus: nil, output: output, error: "stopped after the time limit of \(Int(timeout)) s (--notify-timeout)")
            }
            if reason == .uncaughtSignal {
                return Outcome(exitStatus: nil, output: output, error: "killed by signal \(status)")
            }
            return Outcome(exitStatus: status, output: output, error: status == 0 ? nil : "exit status \(status)")
        }
    }

    /// `program` itself when it has a slash, else the first executable of that name on PATH.
    static func executablePath(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// A started process and its time limit: SIGTERM at the limit, SIGKILL 2 s later.
private final class RunningProcess: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var watchdog: Task<Void, Never>?
    private var _timedOut = false

    init(_ process: Process) { self.process = process }

    var timedOut: Bool { lock.withLock { _timedOut } }

    func startWatchdog(timeout: Double) {
        let pid = process.processIdentifier
        let task = Task { [self] in
            try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            if Task.isCancelled { return }
            lock.withLock { _timedOut = true }
            kill(pid, SIGTERM)
            try? await Task.sleep(for: .seconds(2))
            if Task.isCancelled { return }
            kill(pid, SIGKILL)
        }
        lock.withLock { watchdog = task }
    }

    func stopWatchdog() {
        lock.withLock { watchdog }?.cancel()
    }
}
