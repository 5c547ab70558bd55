import Foundation
import Logging

/// The loop of the centre's tasks that act when something falls due (case escalation, erasing
/// call-back numbers): a pass, then sleep until the next due time (at most `recheckSeconds`, at
/// least half a second), cut short by `wake` when this process stores work for it. A failing
/// pass (database unreachable, schema not migrated yet) is logged and tried again after
/// `retrySeconds`. One definition, so the tasks cannot drift apart in how they wait.
enum DueWork {
    /// How long to sleep before the next pass.
    static func sleepSeconds(nextDue: Date?, now: Date, recheckSeconds: Double) -> Double {
        guard let nextDue else { return recheckSeconds }
        return min(recheckSeconds, max(0.5, nextDue.timeIntervalSince(now)))
    }

    /// Runs `pass` (it returns the next due time) until the task is cancelled.
    static func run(
        _ what: String, logger: Logger, wake: Wakeup, now: @Sendable () -> Date,
        recheckSeconds: Double, retrySeconds: Double, pass: () async throws -> Date?
    ) async {
        while !Task.isCancelled {
            var seconds = retrySeconds
            do {
                seconds = sleepSeconds(nextDue: try await pass(), now: now(), recheckSeconds: recheckSeconds)
            } catch {
                logger.warning("\(what) failed; trying again in \(Int(retrySeconds)) s",
                               metadata: ["error": "\(String(reflecting: error))"])
            }
            await wake.wait(upTo: seconds)
        }
    }
}
