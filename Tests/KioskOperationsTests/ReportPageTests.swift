import Foundation
import KioskCore
import KioskReports
import KioskRuntime
import Testing

/// Three business days of real visits, through the real machine and SQLite store.
func makeThreeDaysOfVisits() throws -> (folder: String, config: String) {
    let folder = makeTemporaryFolder("report")
    let config = folder + "/kiosk.conf"
    try FileManager.default.copyItem(atPath: assetsFolder + "/kiosk.conf", toPath: config)
    let setup = try KioskSetup.load(configPath: config, assets: assetsFolder).get()
    // 2026-11-20 09:00 in Asia/Shanghai.
    let start = Date(timeIntervalSince1970: 1_795_136_400)
    let service = try KioskService(setup: setup, stateDirectory: folder + "/state", now: start)
    func press(_ keys: [Key], _ station: StationID, _ at: Date) { for k in keys { service.handle(.key(k, station: station, at: at)) } }
    let login: [Key] = [.digit(0), .digit(1), .digit(0), .digit(0), .digit(1), .enter, .digit(1), .digit(2), .digit(3), .digit(4), .enter]
    let waits = [3, 8, 14, 2, 22, 6, 11, 4, 9, 16]
    let ratings = [1, 2, 1, 4, 3, 1, 2, 2, 1, 3]
    for day in 0..<3 {
        var t = start.addingTimeInterval(Double(day) * 86_400)
        press(login, .counter(1), t)
        for i in 0..<(6 + day * 2) {
            let issued = t
            press([.digit(1), .enter, .enter], .lobby, issued)
            t = issued.addingTimeInterval(Double(waits[(i + day) % waits.count] * 60))
            service.handle(.tick(t))
            press([.plus], .counter(1), t)
            if (i + day) % 7 == 6 {
                press([.minus], .counter(1), t.addingTimeInterval(60))
                press([.slash], .counter(1), t.addingTimeInterval(120))
                t = t.addingTimeInterval(150)
                continue
            }
            press([.enter], .counter(1), t.addingTimeInterval(10))
            t = t.addingTimeInterval(Double(240 + 30 * i))
            press([.enter], .counter(1), t)
            let r = ratings[(i + 2 * day) % ratings.count]
            press([.digit(r)], .counter(1), t.addingTimeInterval(5))
            if r >= 3 { press([.digit(1)], .counter(1), t.addingTimeInterval(10)) }
            t = t.addingTimeInterval(40 * 60)  // spread over the day's hours
            service.handle(.tick(t))
        }
    }
    service.store.close()
    return (folder + "/state", config)
}

/// Runs `kioskctl` in-process; returns what it printed.
func kioskctl(_ arguments: [String]) throws -> String {
    var out = "", err = ""
    let code = ControlCommand.main(arguments, output: { out += $0 }, error: { err += $0 })
    guard code == 0 else { throw EscPosDecodeError(description: "kioskctl \(arguments.joined(separator: " ")) failed (\(code)): \(err)") }
    return out
}

/// Where tests keep files for people to look at (`.artifacts/` at the repository root).
let artifactsFolder: String = {
    let path = URL(fileURLWithPath: assetsFolder).deletingLastPathComponent().path + "/.artifacts"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// The value at a `report --json` path such as `services[0].wait.average` or `hours[9].issued`.
func jsonValue(_ root: Any, _ path: String) -> Any? {
    var node: Any? = root
    for part in path.split(separator: ".") {
        var name = Substring(part)
        var index: Int?
        if let open = name.firstIndex(of: "["), let close = name.firstIndex(of: "]") {
            index = Int(name[name.index(after: open)..<close])
            name = name[..<open]
        }
        node = (node as? [String: Any])?[String(name)]
        if let index { node = (node as? [Any]).flatMap { index < $0.count ? $0[index] : nil } }
    }
    return node
}

@Suite("Reports with charts", .serialized)
struct ReportPageTests {
    @Test func htmlPageRendersInChromiumAndEveryFigureMatchesTheJSONReport() throws {
        let (state, config) = try makeThreeDaysOfVisits()
        let base = ["--state-dir", state, "--config", config, "--assets", assetsFolder, "report", "--from", "2026-11-20", "--to", "2026-11-22"]
        let page = artifactsFolder + "/report.html"
        _ = try kioskctl(base + ["--html", page])
        let json = try JSONSerialization.jsonObject(with: Data(try kioskctl(base + ["--json"]).utf8))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        #expect(html.components(separatedBy: "<svg").count - 1 >= 8)

        // Render in a real headless Chromium: the DOM it built, and a screenshot kept as an artifact.
        let dom = try chromium(["--dump-dom", "file://" + page])
        let png = artifactsFolder + "/report.png"
        try? FileManager.default.removeItem(atPath: png)
        _ = try chromium(["--screenshot=" + png, "--window-size=880,4200", "file://" + page])
        let shot = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(shot.count > 20_000 && shot.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(dom.contains("<svg") && dom.contains("Average wait by hour of day"))

        let figures = try NSRegularExpression(pattern: #"data-metric="([^"]+)" data-value="([^"]+)""#)
            .matches(in: dom, range: NSRange(dom.startIndex..., in: dom))
            .map { (String(dom[Range($0.range(at: 1), in: dom)!]), String(dom[Range($0.range(at: 2), in: dom)!])) }
        #expect(figures.count > 60)
        var dailyJSON: [String: Any] = [:]
        var checked = 0
        for (metric, shown) in figures {
            var root: Any = json
            var path = metric
            if metric.hasPrefix("daily[") {
                let day = String(metric.dropFirst(6).prefix(10))
                if dailyJSON[day] == nil {
                    dailyJSON[day] = try JSONSerialization.jsonObject(with: Data(try kioskctl(Array(base.prefix(6)) + ["report", "--date", day, "--json"]).utf8))
                }
                root = dailyJSON[day]!
                path = String(metric.dropFirst(18))
            }
            let expected = jsonValue(root, path)
            if shown == "null" {
                #expect(expected is NSNull, "\(metric): page shows no value, JSON has \(String(describing: expected))")
            } else {
                let number = (expected as? NSNumber)?.doubleValue
                #expect(number != nil && abs(number! - Double(shown)!) < 1e-9, "\(metric): page \(shown), JSON \(String(describing: expected))")
            }
            checked += 1
        }
        #expect(checked == figures.count)
        // The period really has the three days, with visits and ratings.
        #expect((jsonValue(json, "overall.issued") as? Int ?? 0) == 24)
        #expect((jsonValue(json, "days") as? [String]) == ["2026-11-20", "2026-11-21", "2026-11-22"])
    }

    @Test func csvHasOneRowPerFigureWithTheSameNumbers() throws {
        let (state, config) = try makeThreeDaysOfVisits()
        let base = ["--state-dir", state, "--config", config, "--assets", assetsFolder, "report", "--from", "2026-11-20", "--to", "2026-11-22"]
        let csv = try kioskctl(base + ["--csv"])
        try csv.write(toFile: artifactsFolder + "/report.csv", atomically: true, encoding: .utf8)
        let json = try JSONSerialization.jsonObject(with: Data(try kioskctl(base + ["--json"]).utf8))
        #expect(csv.hasPrefix("\u{FEFF}scope,id,name,metric,value\r\n"))
        let rows = csv.dropFirst().split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.allSatisfy { $0.count == 5 })
        func row(_ scope: String, _ id: String, _ metric: String) -> String? { rows.first { $0[0] == scope && $0[1] == id && $0[3] == metric }?[4] }
        #expect(row("overall", "all", "issued") == "24")
        #expect(Double(row("service", "repairs", "withinTarget") ?? "") == (jsonValue(json, "services[0].withinTarget") as? NSNumber)?.doubleValue)
        #expect(row("hour", "09", "issued") == "\((jsonValue(json, "hours[9].issued") as? Int) ?? -1)")
    }

    @Test func badReportOptionsSayWhatToType() throws {
        let (state, config) = try makeThreeDaysOfVisits()
        var err = ""
        let code = ControlCommand.main(["--state-dir", state, "--config", config, "report", "--from", "yesterday"], output: { _ in }, error: { err += $0 })
        #expect(code == 64)
        #expect(err.contains("--from needs a day as YYYY-MM-DD"))
    }
}

/// Runs headless Chromium (Debian package `chromium`) and returns its standard output.
func chromium(_ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
    p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                   "--user-data-dir=" + makeTemporaryFolder("chromium")] + arguments
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
