import ArgumentParser
import Foundation
import Hummingbird
import KioskCentral
import KioskCentralClient
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// `kiosk-central serve`: migrates, then runs the HTTP server with the background tasks beside it
/// (signal listener, heartbeat writer, escalations, notifier, contact eraser, report summariser).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate, then serve the kiosk and admin API over HTTP.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on (env KIOSK_CENTRAL_HOST).") var host: String?
    @Option(help: "Port to listen on (env KIOSK_CENTRAL_PORT).") var port: Int?
    @Flag(help: "Mark the case desk's cookies Secure even without X-Forwarded-Proto: https (a centre reached only through TLS).")
    var secureCookies = false
    @Option(help: "The kiosk's message catalogs (folder with zh-Hans.catalog, en.catalog), for the desk's names of reasons and root causes (env KIOSK_CENTRAL_CATALOG_DIR).")
    var catalogDir: String?
    @Option(help: ArgumentHelp(
        "Run this to tell a site's manager about a case escalation, and residents about their case, without a shell; placeholders {site} {ref} {level} {deadline} {assignee}, and for residents' messages (levels resident.*) {phone} {message} (e.g. '/usr/local/bin/notify {site} {ref} {level} {phone} {message}').",
        discussion: "Without it, escalations are still recorded and shown at the counters; their notifications are recorded as skipped."))
    var notifyCommand: String?
    @Option(help: "Seconds one run of --notify-command may take before it is stopped (1…3600).") var notifyTimeout: Double = 20
    @Option(help: "Attempts per notification before it is given up as failed (retried with a doubling delay, 30 s … 15 min).")
    var notifyAttempts: Int = 5
    @Option(help: "Share of a case deadline's interval after which it is escalated as near (0 < share < 1).")
    var escalateShare: Double = CaseEscalator.defaultShare
    @Option(help: ArgumentHelp(
        "File with the key that seals residents' call-back numbers at rest: 32 bytes as 64 hex digits (`openssl rand -hex 32`), readable by kiosk-central only.",
        discussion: "Without it, kiosks keep the numbers they were given and send them again once the centre has a key."))
    var contactKeyFile: String?
    @Option(help: "How long after its case is closed a call-back number is erased: 90d (default), 12h, 30m, 45s.")
    var contactRetention: String = "90d"
    @Option(help: ArgumentHelp(
        "PostgreSQL URL for the one connection that LISTENs for signals (env KIOSK_CENTRAL_LISTEN_DATABASE_URL; default: --database-url).",
        discussion: "Set it when --database-url goes through a pooler such as pgbouncer in transaction mode, which drops LISTEN silently: point it at PostgreSQL itself."))
    var listenDatabaseURL: String?
    @Option(help: ArgumentHelp(
        "PostgreSQL URL of a streaming replica of the same database that report pages read from (env KIOSK_CENTRAL_REPORT_DATABASE_URL; default: none, reports read the primary).",
        discussion: "Days are still folded on the primary; a page reads the replica once it has replayed them (up to 2 s), else the primary, and logs why."))
    var reportDatabaseURL: String?

    func validate() throws {
        guard escalateShare > 0, escalateShare < 1 else {
            throw ValidationError("--escalate-share \(escalateShare) must be between 0 and 1 (e.g. 0.75: escalated when 75 % of the time has passed)")
        }
        guard ContactEraser.parseRetention(contactRetention) != nil else {
            throw ValidationError("--contact-retention '\(contactRetention)' is not a time: write it like 90d, 12h, 30m or 45s")
        }
        if let contactKeyFile {
            do { _ = try ContactKey.load(path: contactKeyFile) } catch { throw ValidationError("--contact-key-file: \(error.description)") }
        }
        guard (1...100).contains(notifyAttempts) else { throw ValidationError("--notify-attempts must be between 1 and 100") }
        if let notifyCommand {
            do { _ = try NotifyCommand(notifyCommand, timeout: notifyTimeout) } catch let e as CentralError {
                throw ValidationError("\(e.message); \(e.hint)")
            }
        } else if !(1...3600).contains(notifyTimeout) {
            throw ValidationError("--notify-timeout must be between 1 and 3600 seconds")
        }
    }

    func run() async throws {
        let logger = makeLogger("kiosk-central")
        let env = ProcessInfo.processInfo.environment
        let host = self.host ?? env["KIOSK_CENTRAL_HOST"] ?? "127.0.0.1"
        let port = self.port ?? env["KIOSK_CENTRAL_PORT"].flatMap(Int.init) ?? 8080
        let client = PostgresClient(configuration: try db.location().clientConfiguration(), backgroundLogger: logger)
        var store = CentralStore(client: client, logger: logger, escalationShare: escalateShare)
        store.contacts = ContactSettings(
            key: try contactKeyFile.map { path throws(CentralError) in try ContactKey.load(path: path) },
            retention: ContactEraser.parseRetention(contactRetention) ?? 90 * 86400)
        var pools = [client]
        if let url = reportDatabaseURL ?? env["KIOSK_CENTRAL_REPORT_DATABASE_URL"] {
            let replica = PostgresClient(
                configuration: ReportReplica.clientConfiguration(try DatabaseLocation(url: url)), backgroundLogger: logger)
            store.reportReplica = ReportReplica(client: replica)
            pools.append(replica)
        }
        if contactKeyFile == nil {
            logger.notice("no --contact-key-file: residents' call-back numbers stay at the kiosks until the centre has a key")
        }
        let listener = SignalListener(
            location: try (listenDatabaseURL ?? env["KIOSK_CENTRAL_LISTEN_DATABASE_URL"]).map { try DatabaseLocation(url: $0) }
                ?? db.location(),
            signals: store.signals, logger: logger)
        let escalator = CaseEscalator(store: store)
        let eraser = ContactEraser(store: store)
        let summariser = ReportSummariser(store: store)
        var notifier = Notifier(
            store: store, command: try notifyCommand.map { try NotifyCommand($0, timeout: notifyTimeout) },
            maxAttempts: notifyAttempts)
        if notifyCommand == nil {
            logger.notice("no --notify-command: case escalations are recorded, their notifications skipped")
        }
        var routes = CentralRoutes(store: store)
        routes.desk.secureCookies = secureCookies
        if let dir = catalogDir ?? env["KIOSK_CENTRAL_CATALOG_DIR"] {
            switch CatalogParser.loadAll(directory: dir) {
            case .success(let catalogs):
                routes.desk.catalogs = catalogs
                notifier.catalogs = catalogs
            case .failure(let errors):
                throw CentralError(
                    "cannot load the message catalogs in \(dir): \(errors.errors.map(\.description).joined(separator: "; "))",
                    hint: "pass the kiosk's Kiosk/messages folder (or the installed one) with --catalog-dir")
            }
        }
        var app = Application(
            router: routes.makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "kiosk-central"),
            services: pools,
            onServerRunning: { _ in logger.info("listening", metadata: ["host": "\(host)", "port": "\(port)"]) },
            logger: logger)
        if routes.desk.catalogs == nil {
            logger.notice("no --catalog-dir: residents' messages carry only the reference, the step and the time")
        }
        let (schemaReady, schemaReadyNow) = AsyncStream.makeStream(of: Void.self)
        let runningNotifier = notifier
        let runningStore = store
        app.beforeServerStarts {
            let applied = try await applyCentralMigrations(client, logger: logger)
            logger.info("schema ready", metadata: ["applied": "\(applied)"])
            schemaReadyNow.finish()
        }
        // The escalation task and the notifier run beside the server, once the schema is
        // migrated, and stop with it.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in schemaReady {}
                await withTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { await listener.run() }
                    tasks.addTask { await runningStore.heartbeats.run(client: client, logger: logger) }
                    tasks.addTask { await escalator.run() }
                    tasks.addTask { await runningNotifier.run() }
                    tasks.addTask { await eraser.run() }
                    tasks.addTask { await summariser.run() }
                }
            }
            defer { group.cancelAll() }
            try await app.runService()
        }
    }
}
