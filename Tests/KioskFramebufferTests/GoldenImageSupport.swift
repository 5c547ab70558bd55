import Foundation
import KioskFramebuffer
import Testing

/// Golden-image comparison: reference PNGs live in `Golden/` beside this file.
/// - Missing reference: it is written and the test fails, asking for a review.
/// - RECORD_GOLDEN=1: references are (re)written and the test passes.
/// - Otherwise every pixel may differ by `tolerance` per channel (16-bit formats keep 5–6 bits)
///   and at most `allowedMismatches` of them may differ by more (anti-aliasing drift between
///   FreeType builds). A failure writes `<name>.actual.png` and `<name>.diff.png` (mismatches
///   in red over a dimmed reference) to $GOLDEN_FAILURES or the temporary folder.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" }
    static var failureDirectory: String {
        ProcessInfo.processInfo.environment["GOLDEN_FAILURES"] ?? NSTemporaryDirectory() + "kiosk-golden-failures"
    }

    /// Loads (or records) the reference for `name`; nil when it was just written.
    static func reference(_ name: String, recording image: RGBImage, sourceLocation: SourceLocation = #_sourceLocation) -> RGBImage? {
        let path = directory.appendingPathComponent(name + ".png").path
        let exists = FileManager.default.fileExists(atPath: path)
        if recording || !exists {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try PNG.write(image, to: path, level: 9)
            } catch {
                Issue.record("cannot write golden image \(path): \(error)", sourceLocation: sourceLocation)
            }
            if !exists { Issue.record("Recorded new golden image \(path); review it, then run the tests again.", sourceLocation: sourceLocation) }
            return nil
        }
        do { return try PNG.read(path: path) } catch {
            Issue.record("cannot read golden image \(path): \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Checks `actual` against the reference; on failure writes the actual and diff images.
    static func check(_ actual: RGBImage, against expected: RGBImage, name: String, tolerance: Int, allowedMismatches: Int,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        guard actual.width == expected.width, actual.height == expected.height else {
            Issue.record("\(name): size \(actual.width)×\(actual.height) but the reference is \(expected.width)×\(expected.height)", sourceLocation: sourceLocation)
            return
        }
        let c = ImageComparison(actual, expected, tolerance: tolerance)
        guard c.mismatches > allowedMismatches else { return }
        try? FileManager.default.createDirectory(atPath: failureDirectory, withIntermediateDirectories: true)
        let base = failureDirectory + "/" + name.replacingOccurrences(of: "/", with: "_")
        let diff = ImageComparison.diffImage(actual, expected)
        try? PNG.write(actual, to: base + ".actual.png", level: 1)
        try? PNG.write(diff, to: base + ".diff.png", level: 1)
        Issue.record("""
            \(name): \(c.mismatches) pixels differ by more than \(tolerance) (worst \(c.worst); \(allowedMismatches) allowed).
            Wrote \(base).actual.png and \(base).diff.png; if the change is intended, run with RECORD_GOLDEN=1 and review the new references.
            """, sourceLocation: sourceLocation)
    }
}
