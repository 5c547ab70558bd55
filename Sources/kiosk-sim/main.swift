import Foundation
import KioskCore
import KioskRuntime
import KioskSimulation

// kiosk-sim: simulated business days through the real kiosk, and how well each wait estimator
// did on them. All the work is in KioskSimulation; this file reads the arguments and prints.

let usage = """
    Usage: kiosk-sim SCENARIO [--state-dir DIR] [--seeds N | --seeds A-B | --seed S] [--days N] [--warm-up N]
                     [--estimators NAME,NAME] [--json]

    Runs the scenario's days (warm-up days first) through the real kiosk core and SQLite store on a
    virtual clock, one state folder per seed (DIR/seed-S; DIR defaults to a new temporary folder),
    and prints per estimator: promise kept, share called inside the range, MAE and bias of the
    point estimate, share under-predicted by more than 5 minutes, median range width; totals and
    utilisation per hour. Kiosk/scenarios/ has two scenarios.

      --seeds N        seeds 1…N (default: the scenario's seeds); --seeds A-B: seeds A…B
      --seed S         only seed S
      --days N         measured days per seed (default: the scenario's)
      --warm-up N      warm-up days before them (default: the scenario's)
      --estimators L   only these of the kiosk's estimators (the configured one is always run)
      --json           the figures as JSON (state folders are then printed on stderr)
    """

func fail(_ message: String, code: Int32 = 64) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var scenarioPath: String?
var stateDirectory: String?
var seeds: [UInt64]?
var days: Int?
var warmUp: Int?
var estimators: [String]?
var json = false
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { fail("\(a) needs a value\n\n\(usage)") }
        return arguments.removeFirst()
    }
    func count(_ range: ClosedRange<Int>) -> Int {
        let v = value()
        guard let n = Int(v), range.contains(n) else { fail("\(a) needs a whole number from \(range.lowerBound) to \(range.upperBound), not '\(v)'") }
        return n
    }
    switch a {
    case "--state-dir": stateDirectory = value()
    case "--seeds":
        // N: seeds 1…N; A-B: seeds A…B (days other than the benchmark's, to choose on).
        let v = value()
        let parts = v.split(separator: "-", omittingEmptySubsequences: false).map { UInt64($0) }
        if parts.count == 1, let n = parts[0], (1...1000).contains(n) {
            seeds = Array(1...n)
        } else if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, b - a < 1000 {
            seeds = Array(a...b)
        } else {
            fail("--seeds needs a count from 1 to 1000 (seeds 1…N) or a range A-B of at most 1000 seeds, such as 6-25, not '\(v)'")
        }
    case "--seed":
        let v = value()
        guard let s = UInt64(v) else { fail("--seed needs a whole number, not '\(v)'") }
        seeds = [s]
    case "--days": days = count(1...366)
    case "--warm-up": warmUp = count(0...60)
    case "--estimators": estimators = value().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    case "--json": json = true
    case "-h", "--help": print(usage); exit(0)
    default:
        if a.hasPrefix("-") || scenarioPath != nil { fail("unknown argument '\(a)'\n\n\(usage)") }
        scenarioPath = a
    }
}
guard let scenarioPath else { fail(usage) }

var scenario: Scenario
switch ScenarioParser.load(path: scenarioPath) {
case .success(let s): scenario = s
case .failure(let e): fail(e.description, code: 65)
}
if let seeds { scenario.seeds = seeds }
if let days { scenario.days = days }
if let warmUp { scenario.warmUpDays = warmUp }

if let estimators, let unknown = estimators.first(where: { name in !WaitEstimators.names.contains(name) }) {
    fail("--estimators: '\(unknown)' is not an estimator of this kiosk; the estimators are \(WaitEstimators.names.joined(separator: ", "))")
}
let root = stateDirectory ?? FileManager.default.temporaryDirectory
    .appendingPathComponent("kiosk-sim-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))").path
// Thousands of visits go through kioskd's code: only its warnings and errors are written.
Log.threshold = .warning

var runs: [SeedRun] = []
var configured = ""
for seed in scenario.seeds {
    let dir = root + "/seed-\(seed)"
    let setup: KioskSetup
    switch SiteSetup.prepare(scenario, scenarioFile: scenarioPath, stateDirectory: dir) {
    case .success(let s): setup = s
    case .failure(let e): fail(e.description, code: 65)
    }
    configured = setup.configuration.estimator
    let started = Date()
    do {
        runs.append(try Simulation(scenario: scenario, setup: setup, estimators: estimators).run(seed: seed, stateDirectory: dir))
    } catch {
        fail("kiosk-sim: seed \(seed): \(error)", code: 70)
    }
    FileHandle.standardError.write(Data(String(format: "seed %llu: %d day(s) in %.1f s → %@\n", seed,
        scenario.warmUpDays + scenario.days, Date().timeIntervalSince(started), dir).utf8))
}
let report = SimulationReport(scenario: scenario, configuredEstimator: configured, runs: runs)
writeStdout(json ? report.json() : report.text())
