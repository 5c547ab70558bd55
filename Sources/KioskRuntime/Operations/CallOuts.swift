#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskAnnounce
import KioskCore

/// Voice call-outs for the lobby: each call (and recall) runs `announce-command` from `[kiosk]`,
/// one at a time in call order, killed after `announce-timeout` seconds. The child runs on its
/// own; the loop only watches its output pipe and a timer, so the screens never wait for speech.
public final class CallOuts {
    unowned let service: KioskService
    let clock: () -> Date
    private(set) var player: AnnouncementPlayer?
    private var template: String?
    private var watched: Int32?
    private weak var loop: PollLoop?
    /// The latest call-out steps (started, done, failed, stopped), newest last.
    public private(set) var history: [String] = []

    public init(service: KioskService, clock: @escaping () -> Date = Date.init) {
        self.service = service
        self.clock = clock
    }

    /// Adds the call-outs to the service's adapters and hooks onto the loop's timer.
    public func attach(to loop: PollLoop) {
        self.loop = loop
        service.addAdapter { [unowned self] output in
            for a in output.announcements { announce(a) }
            return []
        }
        loop.every(0.2) { [unowned self] in player?.tick(now: clock()) }
    }

    /// True when nothing is speaking or waiting (tests wait for this).
    public var isIdle: Bool { player?.queue.isIdle ?? true }

    func announce(_ a: Announcement) {
        let config = service.setup.configuration
        guard let text = config.announceCommand else { return }
        if text != template || player == nil {
            do {
                let command = try AnnounceCommand(text)
                if let player, player.queue.isIdle == false {
                    player.replace(command: command)
                } else {
                    player = makePlayer(command, timeLimit: TimeInterval(config.announceTimeoutSeconds))
                }
                template = text
            } catch {
                Log.error("call-out for \(a.ticket) skipped: \(error); fix announce-command in kiosk.conf")
                return
            }
        }
        player?.enqueue(CallOut(ticket: a.ticket, counter: a.counter), now: clock())
    }

    private func makePlayer(_ command: AnnounceCommand, timeLimit: TimeInterval) -> AnnouncementPlayer {
        let p = AnnouncementPlayer(command: command, timeLimit: timeLimit)
        p.report = { [unowned self] message in
            history = Array((history + [message]).suffix(50))
            if message.contains("failed") || message.contains("stopped") || message.contains("could not") { Log.warning(message) } else { Log.info(message) }
        }
        p.onChildOutput = { [unowned self, unowned p] fd in
            if let old = watched { loop?.removeReader(fd: old) }
            watched = fd
            if let fd { loop?.addReader(fd: fd) { [unowned self] in p.readable(now: clock()) } }
        }
        return p
    }
}
