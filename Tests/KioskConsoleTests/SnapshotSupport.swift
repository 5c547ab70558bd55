// Snapshot testing for text output. Self-contained (Foundation + Testing): copy this file into
// another test target to reuse `assertSnapshot`; snapshots go in a `Snapshots/` folder next to the
// test file that calls it.
//
// - Missing snapshot: it is written and the test fails, asking you to review the new file.
// - RECORD_SNAPSHOTS=1: every snapshot is (re)written and the test passes.
// - Otherwise the lines are compared with the file; a mismatch fails with a line diff.
import Foundation
import Testing

/// Compares `lines` with `Snapshots/<name>.txt` beside the calling test file (found via
/// `#filePath`, so it is the source tree, not a copied resource bundle).
func assertSnapshot(
    name: String,
    lines: [String],
    filePath: String = #filePath,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = directory.appendingPathComponent(name + ".txt")
    let actual = lines.joined(separator: "\n") + "\n"
    let existing = try? String(contentsOf: url, encoding: .utf8)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"

    if record || existing == nil {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            Issue.record("Could not write snapshot \(url.path): \(error)", sourceLocation: sourceLocation)
            return
        }
        if existing == nil {
            Issue.record(
                "Recorded new snapshot \(url.path). Review it, then run the tests again.",
                sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = existing, expected != actual else { return }
    let diff = snapshotDiff(
        expected: expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
        actual: actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    Issue.record(
        """
        Snapshot "\(name)" does not match \(url.path)
        (run with RECORD_SNAPSHOTS=1 to accept the new output)
        --- expected
        +++ actual
        \(diff)
        """, sourceLocation: sourceLocation)
}

/// A unified-style line diff (longest common subsequence), with up to `context` unchanged lines
/// around each change and "@@ -line +line @@" hunk headers.
func snapshotDiff(expected a: [String], actual b: [String], context: Int = 2) -> String {
    // LCS table; snapshots are small (tens of lines).
    var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        for j in stride(from: b.count - 1, through: 0, by: -1) {
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
        }
    }
    enum Op { case same(Int, Int), del(Int), ins(Int) }
    var ops: [Op] = []
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if i < a.count, j < b.count, a[i] == b[j] {
            ops.append(.same(i, j)); i += 1; j += 1
        } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
            ops.append(.ins(j)); j += 1
        } else {
            ops.append(.del(i)); i += 1
        }
    }
    var changed = Array(repeating: false, count: ops.count)
    for (k, op) in ops.enumerated() {
        if case .same = op { continue }
        for n in max(0, k - context)...min(ops.count - 1, k + context) { changed[n] = true }
    }
    var out: [String] = []
    var k = 0
    while k < ops.count {
        guard changed[k] else { k += 1; continue }
        var header = ""
        switch ops[k] {
        case .same(let x, let y): header = "@@ -\(x + 1) +\(y + 1) @@"
        case .del(let x): header = "@@ -\(x + 1) @@"
        case .ins(let y): header = "@@ +\(y + 1) @@"
        }
        out.append(header)
        while k < ops.count, changed[k] {
            switch ops[k] {
            case .same(let x, _): out.append(" " + a[x])
            case .del(let x): out.append("-" + a[x])
            case .ins(let y): out.append("+" + b[y])
            }
            k += 1
        }
    }
    return out.joined(separator: "\n")
}
