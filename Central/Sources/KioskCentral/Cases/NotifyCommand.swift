import Foundation
import KioskAnnounce

#if canImport(Glibc)
    import Glibc
#endif

/// `--notify-command`: the program that tells a site's manager about an escalation (an SMS or
/// WeCom gateway script), split into words like the kiosk's `announce-command` and run without
/// a shell. Placeholders `{site}` `{ref}` `{level}` `{deadline}` `{assignee}` are filled in word
/// by word, so nothing in a value can become a command. Messages to residents (levels
/// `resident.*`, issue 15) also fill `{phone}` (the call-back number, opened only for this run)
/// and `{message}` (the catalog's text in the site's language); escalations leave them empty.
public struct NotifyCommand: Sendable {
    public let command: AnnounceCommand
    /// Seconds a run may take before it is stopped (SIGTERM, then SIGKILL 2 s later).
    public let timeout: Double

    public static let placeholders = ["{site}", "{ref}", "{level}", "{deadline}", "{assignee}", "{phone}", "{message}"]

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
    public func arguments(site: String, ref: String, level: String, deadline: String, assignee: String, phone: String = "",
                          message: String = "") -> [String] {
        command.arguments(filling: ["site": site, "ref": ref, "level": level, "deadline": deadline, "assignee": assignee,
                                    "phone": phone, "message": message])
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

    /// Runs `argv` once with the time limit, in its own process group (so a script's children
    /// are stopped with it), stdin from /dev/null, stdout and stderr into a temporary file.
    public static func run(_ argv: [String], timeout: Double) async -> Outcome {
        guard let program = argv.first, let path = executablePath(program) else {
            return Outcome(
                exitStatus: nil, output: "",
                error: "cannot run \(argv.first ?? "(nothing)"): not found or not executable; check --notify-command (a full path is safest)")
        }
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-central-notify-\(UUID().uuidString).out").path
        let fd = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            return Outcome(exitStatus: nil, output: "", error: "cannot create \(outPath) for the command's output: \(String(cString: strerror(errno)))")
        }
        defer { unlink(outPath) }
        let spawned = spawn(path, argv, output: fd)
        close(fd)
        let pid: pid_t
        switch spawned {
        case .failure(let failure): return Outcome(exitStatus: nil, output: "", error: failure.message)
        case .success(let p): pid = p
        }
        let watchdog = Watchdog()
        let stopper = Task {
            try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            if Task.isCancelled { return }
            watchdog.fire()
            kill(-pid, SIGTERM)
            try? await Task.sleep(for: .seconds(2))
            if Task.isCancelled { return }
            kill(-pid, SIGKILL)
        }
        // waitpid blocks: on a thread of its own, not on the concurrency pool.
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var st: Int32 = 0
                while waitpid(pid, &st, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: st)
            }
        }
        stopper.cancel()
        if watchdog.fired { kill(-pid, SIGKILL) }  // what the script left behind
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        let output = String(String(decoding: data, as: UTF8.self).prefix(outputLimit))
        let signal = status & 0x7f
        if watchdog.fired {
            return Outcome(exitStatus: nil, output: output, error: "stopped after the time limit of \(Int(timeout)) s (--notify-timeout)")
        }
        if signal != 0 {
            return Outcome(exitStatus: nil, output: output, error: "killed by signal \(signal)")
        }
        let code = (status >> 8) & 0xff
        return Outcome(exitStatus: code, output: output, error: code == 0 ? nil : "exit status \(code)")
    }

    /// Started like the kiosk's call-outs (`CommandSpawn`: no shell, its own process group);
    /// the pid or why not.
    static func spawn(_ path: String, _ argv: [String], output fd: Int32) -> Result<pid_t, SpawnFailure> {
        let (pid, rc) = CommandSpawn.start(path, argv, searchPath: false, output: fd)
        guard rc == 0 else { return .failure(SpawnFailure(message: "cannot run \(path): \(String(cString: strerror(rc)))")) }
        return .success(pid)
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

struct SpawnFailure: Error {
    var message: String
}

/// Whether a run's time limit struck (set by its stopper task, read after the wait).
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var _fired = false
    var fired: Bool { lock.withLock { _fired } }
    func fire() { lock.withLock { _fired = true } }
}
