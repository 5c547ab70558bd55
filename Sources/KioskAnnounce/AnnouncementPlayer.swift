#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs call-outs as child processes without ever blocking the caller's thread: `posix_spawn`
/// (no shell), the child in its own process group (a time-limit kill takes its children too),
/// stdout and stderr into a pipe whose end-of-file says the child is gone. The owner polls
/// `readFD` and calls `readable()`, and calls `tick(now:)` from a timer for the time limit.
public final class AnnouncementPlayer {
    public private(set) var queue: AnnouncementQueue
    private var command: AnnounceCommand
    private var child: (pid: pid_t, output: Int32, callOut: CallOut)?
    private var outputTail: [UInt8] = []
    /// Told about every step, for the log (and tests).
    public var report: (String) -> Void = { _ in }
    /// Called when the output fd changes (a new child): the owner re-registers it with its loop.
    public var onChildOutput: (Int32?) -> Void = { _ in }

    public init(command: AnnounceCommand, timeLimit: TimeInterval) {
        self.command = command
        self.queue = AnnouncementQueue(timeLimit: timeLimit)
    }

    /// The running child's process id, if any.
    public var childProcess: pid_t? { child?.pid }

    /// The pipe of the running child, if any.
    public var readFD: Int32? { child.flatMap { $0.output >= 0 ? $0.output : nil } }

    /// A new command (after a reload) for the next call-outs.
    public func replace(command: AnnounceCommand) { self.command = command }

    public func enqueue(_ c: CallOut, now: Date) { perform(queue.enqueue(c, now: now), now: now) }

    public func tick(now: Date) {
        reapIfExited(now: now)
        perform(queue.tick(now: now), now: now)
    }

    /// The child's output pipe is readable: drain it; on end of file the child has exited.
    public func readable(now: Date) {
        guard let c = child else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            guard case .processed(let n) = try? Posix.read(c.output, into: &buffer) else { return }  // more later
            if n > 0 {
                outputTail = Array((outputTail + buffer[0..<n]).suffix(400))
            } else {
                // End of file: the child (and anything it started) closed its output, so it is
                // exiting. Stop polling the pipe; reap now if it is gone, else on the next tick.
                Posix.close(c.output)
                child?.output = -1
                onChildOutput(nil)
                return reapIfExited(now: now)
            }
        }
    }

    private func reapIfExited(now: Date) {
        guard let c = child else { return }
        do throws(SystemError) {
            let (pid, status) = try Posix.waitpid(c.pid, options: WNOHANG)
            if pid == c.pid { complete(c, status: status, now: now) }
        } catch {
            // ECHILD: something else in the process collected the child (or SIGCHLD is ignored),
            // so it is gone but how it ended is unknown; saying "done" would claim a success
            // nobody saw. Other errors leave it for the next tick.
            if error.code == .noChildProcess { complete(c, status: nil, now: now) }
        }
    }

    private func complete(_ c: (pid: pid_t, output: Int32, callOut: CallOut), status: Int32?, now: Date) {
        if c.output >= 0 {
            Posix.close(c.output)
            onChildOutput(nil)
        }
        child = nil
        let tail = String(decoding: outputTail, as: UTF8.self).trimmingWhitespace()
        report(Self.ending(of: c.callOut, status: status, output: tail))
        outputTail = []
        perform(queue.finished(now: now), now: now)
    }

    /// The log line for a call-out that has ended: its wait status (nil when nobody here could
    /// collect it) and the end of what it printed.
    static func ending(of c: CallOut, status: Int32?, output tail: String) -> String {
        let said = tail.isEmpty ? "" : ": " + tail
        guard let status else {
            return "call-out \(c.ticket) ended, exit status unknown (collected elsewhere in kioskd; is SIGCHLD ignored?)\(said)"
        }
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        if exited && code == 0 { return "call-out \(c.ticket) → counter \(c.counter) done" }
        return "call-out \(c.ticket) failed (\(exited ? "exit \(code)" : "signal \(status & 0x7F)"))\(said)"
    }

    private func perform(_ action: AnnouncementQueue.Action, now: Date) {
        switch action {
        case .none:
            break
        case .kill(let c):
            guard let running = child else { return }
            report("call-out \(c.ticket) took longer than \(Int(queue.timeLimit)) s; stopped")
            kill(-running.pid, SIGKILL)
        case .start(let c):
            do {
                child = try spawn(c)
                onChildOutput(child?.output)
                report("call-out \(c.ticket) → counter \(c.counter) started")
            } catch {
                report("call-out \(c.ticket) could not start: \(error)")
                perform(queue.finished(now: now), now: now)
            }
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        var program: String
        var code: Errno
        var description: String {
            "\(program): \(code)" + (code == .noSuchFileOrDirectory ? " (is it installed? check announce-command in kiosk.conf)" : "; \(SystemError.advice(for: code, path: program))")
        }
    }

    private func spawn(_ c: CallOut) throws -> (pid: pid_t, output: Int32, callOut: CallOut) {
        let argv = command.arguments(ticket: c.ticket, counter: c.counter)
        let fds: [Int32]
        do throws(SystemError) {
            let pipe = try Posix.pipe(nonBlocking: false)  // both ends close-on-exec: dup2 into 1 and 2 clears it there
            try Posix.setNonBlocking(pipe.read)
            fds = [pipe.read, pipe.write]
        } catch {
            throw SpawnError(program: argv[0], code: error.code)
        }
        let (pid, rc) = CommandSpawn.start(argv[0], argv, searchPath: true, output: fds[1])
        Posix.close(fds[1])
        guard rc == 0 else {
            Posix.close(fds[0])
            throw SpawnError(program: argv[0], code: Errno(rc))
        }
        return (pid, fds[0], c)
    }
}
