import ArgumentParser
import Foundation
import Hummingbird
import KioskCentral
import KioskCentralClient
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// `kiosk-central`: the server kiosks sync to, and IT's command line for it.
@main
struct KioskCentralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-central",
        abstract: "The central server kiosks sync their events to (PostgreSQL), and IT's admin tool.",
        discussion: "Environment: KIOSK_CENTRAL_DATABASE_URL (postgres://user@host:port/db), KIOSK_CENTRAL_URL "
            + "and KIOSK_CENTRAL_TOKEN (for `admin`), LOG_LEVEL (trace…critical). Serve plain HTTP on loopback "
            + "and put nginx in front for TLS (see docs/central.md).",
        subcommands: [Serve.self, Migrate.self, CreateAdminToken.self, Admin.self])
}

struct DatabaseOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL, postgres://user[:password]@host[:port]/database (env KIOSK_CENTRAL_DATABASE_URL).")
    var databaseURL: String?

    func location() throws -> DatabaseLocation {
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["KIOSK_CENTRAL_DATABASE_URL"] else {
            throw ValidationError("no database: pass --database-url or set KIOSK_CENTRAL_DATABASE_URL")
        }
        return try DatabaseLocation(url: url)
    }
}

func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending SQL migrations and exit.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let logger = makeLogger("kiosk-central.migrate")
        let applied = try await withPostgres(try db.location(), logger: logger) { client in
            try await applyCentralMigrations(client, logger: logger)
        }
        print(applied.isEmpty ? "schema is up to date (version \(centralMigrations.last!.version))"
              : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct CreateAdminToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an admin token directly in the database (the first one has to come from here).")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Who the token is for (shown in logs).") var label: String = "admin"
    @Option(help: "Write the token to this file (mode 600) instead of printing it.") var output: String?

    func run() async throws {
        let logger = makeLogger("kiosk-central.admin-token")
        let label = self.label
        let token = try await withPostgres(try db.location(), logger: logger) { client in
            _ = try await applyCentralMigrations(client, logger: logger)
            return try await CentralStore(client: client, logger: logger).createAdminToken(label: label)
        }
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        } else {
            print(token)
        }
    }
}

// MARK: admin

struct AdminOptions: ParsableArguments {
    @Option(help: "The centre's URL (env KIOSK_CENTRAL_URL).") var url: String?
    @Option(help: "An admin token (env KIOSK_CENTRAL_TOKEN).") var token: String?
    @Option(help: "Read the admin token from this file.") var tokenFile: String?
    @Option(help: "PEM file of the private CA that signed the centre's certificate (env KIOSK_CENTRAL_CA_FILE); default: the system CA store.")
    var caFile: String?

    static let advice = CentralClient.Advice(
        urlSetting: "--url", caSetting: "--ca-file", obtain: "pass the PEM file of the CA that signed the centre's certificate",
        configure: "pass its PEM file with --ca-file (or set KIOSK_CENTRAL_CA_FILE)",
        checkPath: "check the --ca-file path, that you may read it, and that it holds PEM certificates")

    /// One admin API call through the kiosk's libcurl client; the centre's JSON error becomes a
    /// message with its hint.
    func call(_ method: String, _ path: String, body: (some Encodable)? = Optional<String>.none) async throws -> Data {
        let env = ProcessInfo.processInfo.environment
        guard let base = url ?? env["KIOSK_CENTRAL_URL"] else {
            throw ValidationError("no centre: pass --url or set KIOSK_CENTRAL_URL")
        }
        var tok = token ?? env["KIOSK_CENTRAL_TOKEN"]
        if let tokenFile {
            tok = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let tok else { throw ValidationError("no admin token: pass --token/--token-file or set KIOSK_CENTRAL_TOKEN") }
        // A year's fleet report page can take a while to build: a generous limit.
        let client = CentralClient(
            baseURL: base, token: tok, caFile: caFile ?? env["KIOSK_CENTRAL_CA_FILE"], requestTimeout: 300, advice: Self.advice)
        CentralClient.blockSIGPIPEOnThisThread()  // a closed TLS connection fails the call instead
        let (status, data): (Int, Data)
        do {
            (status, data) = try client.exchange(method, path, body: try body.map { try JSONEncoder().encode($0) })
        } catch let e as SyncError where e.isTransient {
            throw CentralError(e.message, hint: "check --url (or KIOSK_CENTRAL_URL) and that the centre is running")
        } catch let e as SyncError {
            throw CentralError(e.message, hint: "fix the setting named above, then try again")
        }
        if status >= 400 {
            if let e = try? JSONDecoder().decode(ErrorReply.self, from: data) {
                throw CentralError("\(status) \(e.error): \(e.message)", hint: e.hint)
            }
            throw CentralError("the centre answered \(status)", hint: "check --url and the centre's log")
        }
        return data
    }
}

func printJSON(_ data: Data) {
    if let obj = try? JSONSerialization.jsonObject(with: data),
        let pretty = try? JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
    {
        print(String(decoding: pretty, as: UTF8.self))
    } else {
        print(String(decoding: data, as: UTF8.self))
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "IT's commands over the admin API.",
        subcommands: [
            Kiosks.self, Register.self, Revoke.self, Command.self, Commands.self, PublishConfig.self, Events.self, Reports.self,
            ReportHTML.self, User.self, EraseContact.self,
        ])

    struct EraseContact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "erase-contact",
            abstract: "Erase a resident's call-back number now (they asked); recorded on the case as case.contact-erased.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "The case's site id.") var site: String
        @Argument(help: "The case reference, e.g. R20261203-001.") var ref: String
        func run() async throws {
            let path = "/v1/admin/sites/\(site.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? site)/cases/\(ref.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ref)/erase-contact"
            let reply = try JSONDecoder().decode(EraseContactReply.self, from: try await options.call("POST", path))
            print(reply.erased
                ? "erased the call-back number of case \(reply.ref) at \(reply.site) (\(reply.masked)); recorded on the case"
                : "case \(reply.ref) at \(reply.site) has no call-back number left (\(reply.masked)): it was erased before")
        }
    }

    struct Kiosks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List kiosks with health (last seen, backlog, version, errors).")
        @OptionGroup var options: AdminOptions
        @Option(help: "Only this site.") var site: String?
        func run() async throws {
            let data = try await options.call("GET", "/v1/admin/kiosks" + (site.map { "?site=\($0)" } ?? ""))
            printJSON(data)
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a kiosk and issue its token (revokes the kiosk's earlier tokens).")
        @OptionGroup var options: AdminOptions
        @Option(help: "Kiosk id.") var kiosk: String
        @Option(help: "Site id.") var site: String
        @Option(help: "A name for people.") var name: String?
        @Option(help: "Write the kiosk's token to this file (mode 600) instead of printing it.") var output: String?
        func run() async throws {
            let data = try await options.call(
                "POST", "/v1/admin/kiosks", body: RegisterKioskRequest(kiosk: kiosk, site: site, name: name))
            let reply = try JSONDecoder().decode(RegisterKioskReply.self, from: data)
            if let output {
                _ = FileManager.default.createFile(
                    atPath: output, contents: Data((reply.token + "\n").utf8), attributes: [.posixPermissions: 0o600])
                print("registered \(reply.kiosk) at \(reply.site); token written to \(output)")
            } else {
                print(reply.token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke every token of a kiosk.")
        @OptionGroup var options: AdminOptions
        @Option(help: "Kiosk id.") var kiosk: String
        func run() async throws { printJSON(try await options.call("POST", "/v1/admin/kiosks/\(kiosk)/revoke")) }
    }

    struct Command: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a command (\(KioskCommand.Kind.allCases.map(\.rawValue).joined(separator: ", "))) for a kiosk or a whole site.")
        @OptionGroup var options: AdminOptions
        @Argument(help: "\(KioskCommand.sentence(KioskCommand.Kind.allCases.map(\.rawValue), or: "or")).") var type: String
        @Option(help: "One kiosk.") var kiosk: String?
        @Option(help: "Every kiosk of a site.") var site: String?
        @Option(help: "For set-weather: \(KioskCommand.sentence(Weather.allCases.map(\.rawValue), or: "or")).") var argument: String?
        func run() async throws {
            printJSON(try await options.call(
                "POST", "/v1/admin/commands",
                body: QueueCommandRequest(kiosk: kiosk, site: site, type: type, argument: argument)))
        }
    }

    struct Commands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show commands and their outcome: queued, delivered, done or failed (with the kiosk's message).")
        @OptionGroup var options: AdminOptions
        @Option(help: "Only this kiosk.") var kiosk: String?
        @Option(help: "Only this site.") var site: String?
        @Option(help: "Only this command id (as printed by `admin command`).") var id: Int64?
        @Option(help: "At most this many, newest first (≤ 1000).") var limit: Int = 100
        func run() async throws {
            var q = ["limit=\(limit)"]
            if let kiosk { q.append("kiosk=\(kiosk)") }
            if let site { q.append("site=\(site)") }
            if let id { q.append("id=\(id)") }
            printJSON(try await options.call("GET", "/v1/admin/commands?" + q.joined(separator: "&")))
        }
    }

    struct PublishConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a configuration file as the site's next version.")
        @OptionGroup var options: AdminOptions
        @Option(help: "Site id.") var site: String
        @Argument(help: "A kiosk.conf file.") var file: String
        func run() async throws {
            let body = try String(contentsOfFile: file, encoding: .utf8)
            printJSON(try await options.call("POST", "/v1/admin/config", body: PublishConfigRequest(site: site, body: body)))
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read stored events (JSON).")
        @OptionGroup var options: AdminOptions
        @Option(help: "Only this site.") var site: String?
        @Option(help: "Only this kiosk.") var kiosk: String?
        @Option(help: "Only seq greater than this.") var after: Int64 = 0
        @Option(help: "At most this many (≤ 10000).") var limit: Int = 1000
        func run() async throws {
            var q = ["after=\(after)", "limit=\(limit)"]
            if let site { q.append("site=\(site)") }
            if let kiosk { q.append("kiosk=\(kiosk)") }
            printJSON(try await options.call("GET", "/v1/admin/events?" + q.joined(separator: "&")))
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per site and day: tickets, waits (average, p90), share within target, promise kept, no-show rate, satisfaction index, CSAT, response rate, cases opened/answered/overdue.")
        @OptionGroup var options: AdminOptions
        @Option(help: "Only this site.") var site: String?
        @Option(help: "Only this day (YYYY-MM-DD).") var day: String?
        func run() async throws {
            var q: [String] = []
            if let site { q.append("site=\(site)") }
            if let day { q.append("day=\(day)") }
            printJSON(try await options.call("GET", "/v1/admin/reports" + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))))
        }
    }

    struct ReportHTML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-html",
            abstract: "Save the report page (charts, no JavaScript) of a site or of the whole fleet.",
            discussion: "The same page as `kioskctl report --html` on a kiosk, over the synced events. Without --from/--to: the latest day with events.")
        @OptionGroup var options: AdminOptions
        @Option(help: "One site.") var site: String?
        @Flag(help: "Every site.") var fleet = false
        @Option(help: "First business day (YYYY-MM-DD).") var from: String?
        @Option(help: "Last business day (YYYY-MM-DD).") var to: String?
        @Argument(help: "The HTML file to write.") var output: String

        func validate() throws {
            guard (site != nil) != fleet else { throw ValidationError("pass either --site ID or --fleet") }
        }

        func run() async throws {
            var q: [String] = []
            if let from { q.append("from=\(from)") }
            if let to { q.append("to=\(to)") }
            let path = (site.map { "/v1/admin/sites/\($0)/report.html" } ?? "/v1/admin/report.html")
                + (q.isEmpty ? "" : "?" + q.joined(separator: "&"))
            let page = try await options.call("GET", path)
            do { try page.write(to: URL(fileURLWithPath: output)) } catch {
                throw CentralError("cannot write \(output): \(error.localizedDescription)", hint: "check the folder exists and is writable")
            }
            print("wrote \(output) (\(site.map { "site \($0)" } ?? "fleet"), \(page.count) bytes)")
        }
    }
}
