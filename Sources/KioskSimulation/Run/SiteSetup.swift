import Foundation
import KioskCore
import KioskRuntime

/// The kiosk a scenario runs: its kiosk.conf with the scenario's counters (and any staff it adds)
/// written into the state folder as `kiosk.conf`, then loaded exactly as kioskd loads one. So
/// `kioskctl --config STATE/kiosk.conf` reads the simulated days with the configuration that
/// made them.
public enum SiteSetup {
    /// The kiosk.conf a scenario names, resolved: relative to the scenario file; the shipped
    /// `Kiosk/kiosk.conf` (next to the site assets) when it names none.
    public static func configPath(_ scenario: Scenario, scenarioFile: String, assets: String) -> String {
        guard let path = scenario.configPath else { return assets + "/kiosk.conf" }
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: scenarioFile).deletingLastPathComponent().appendingPathComponent(path).standardized.path
    }

    /// Writes `stateDirectory/kiosk.conf` and loads it; the errors say which line of the
    /// scenario (or of the kiosk.conf) to fix.
    public static func prepare(_ scenario: Scenario, scenarioFile: String, stateDirectory: String) -> Result<KioskSetup, ScenarioErrors> {
        func fail(_ line: Int, _ message: String) -> Result<KioskSetup, ScenarioErrors> {
            .failure(ScenarioErrors([ScenarioError(file: scenarioFile, line: line, message: message)]))
        }
        if FileManager.default.fileExists(atPath: stateDirectory + "/kiosk.sqlite") {
            return fail(0, "\(stateDirectory) already holds a kiosk's events; give kiosk-sim an empty --state-dir (or remove it)")
        }
        guard let assets = KioskSetup.locateAssets(explicit: nil) else {
            return fail(0, "the site assets (Kiosk/messages) were not found; set KIOSK_ASSETS to the Kiosk folder")
        }
        let basePath = configPath(scenario, scenarioFile: scenarioFile, assets: assets)
        guard let baseText = (try? String(contentsOfFile: basePath, encoding: .utf8)) else {
            return fail(0, "cannot read the kiosk configuration '\(basePath)'; fix config = in [scenario] (relative to the scenario file)")
        }
        let base: Configuration
        switch ConfigurationParser.parse(baseText, file: basePath) {
        case .success(let c): base = c
        case .failure(let e): return .failure(ScenarioErrors(e.errors.map { ScenarioError(file: $0.file, line: $0.line, message: $0.message) }))
        }
        var errors: [ScenarioError] = []
        for s in scenario.services where base.service(s.id) == nil {
            errors.append(ScenarioError(file: scenarioFile, line: s.line,
                message: "\(basePath) has no service '\(s.id)'; use one of \(base.services.map(\.id).joined(separator: ", "))"))
        }
        for c in scenario.counters {
            for id in c.services where base.service(id) == nil {
                errors.append(ScenarioError(file: scenarioFile, line: c.line,
                    message: "[counter \(c.number)] serves '\(id)', which \(basePath) does not have; use one of \(base.services.map(\.id).joined(separator: ", "))"))
            }
        }
        for s in base.services where !scenario.counters.contains(where: { $0.services.contains(s.id) }) {
            errors.append(ScenarioError(file: scenarioFile, line: scenario.counters.first?.line ?? 0,
                message: "no counter serves '\(s.id)' of \(basePath), and kioskd refuses a service no counter serves; add it to a counter's services"))
        }
        let staffInFile = baseText.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[staff") }
        var staffSections: [String] = []
        for c in scenario.counters {
            if let member = base.staffMember(c.staff) {
                guard PINHash.verify(pin: c.pin, against: member.pinHash) else {
                    errors.append(ScenarioError(file: scenarioFile, line: c.line,
                        message: "staff \(c.staff)'s PIN in \(basePath) is not '\(c.pin)'; set pin = to their PIN"))
                    continue
                }
                if !staffInFile { staffSections.append("[staff \(c.staff)]\nname = \(member.name)\npin-hash = \(member.pinHash)\n") }
            } else {
                guard let hash = try? PINHash.makeCurrent(pin: c.pin) else {
                    errors.append(ScenarioError(file: scenarioFile, line: c.line, message: "cannot hash the PIN of staff \(c.staff); use 4 to 12 digits"))
                    continue
                }
                staffSections.append("[staff \(c.staff)]\nname = 模拟员工 \(c.staff)\npin-hash = \(hash)\n")
            }
        }
        guard errors.isEmpty else { return .failure(ScenarioErrors(errors)) }
        let counters = scenario.counters.map { "[counter \($0.number)]\nservices = \($0.services.joined(separator: ", "))\n" }
        let text = """
            # Written by kiosk-sim for the scenario \(scenarioFile) ("\(scenario.name)"): \(basePath)
            # with the scenario's counters (and the staff it adds). Read this state folder with
            #   kioskctl --state-dir \(stateDirectory) --config \(stateDirectory)/kiosk.conf report

            """ + withoutCounters(baseText) + "\n# ── kiosk-sim: the scenario's counters and staff ──\n\n"
            + (counters + staffSections).joined(separator: "\n")
        let path = stateDirectory + "/kiosk.conf"
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            return fail(0, "cannot write \(path): \(error.localizedDescription); give a --state-dir you may write to")
        }
        switch KioskSetup.load(configPath: path, assets: assets) {
        case .success(let setup): return .success(setup)
        case .failure(let e): return .failure(ScenarioErrors(e.errors.map { ScenarioError(file: $0.file, line: $0.line, message: $0.message) }))
        }
    }

    /// kiosk.conf's text without its `[counter N]` sections (each runs to the next section).
    static func withoutCounters(_ text: String) -> String {
        var kept: [Substring] = []
        var skipping = false
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { skipping = trimmed.hasPrefix("[counter") }
            if !skipping { kept.append(line) }
        }
        return kept.joined(separator: "\n")
    }
}
