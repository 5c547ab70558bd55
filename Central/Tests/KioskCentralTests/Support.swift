import Foundation
import Hummingbird
import KioskProtocol
import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import KioskCentral

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The PostgreSQL server scripts/test-central.sh started (a URL to its `postgres` database).
let testDatabaseURL = ProcessInfo.processInfo.environment["KIOSK_CENTRAL_TEST_DATABASE_URL"]
let hasDatabase = testDatabaseURL != nil
let noDatabaseNote: Comment = "set KIOSK_CENTRAL_TEST_DATABASE_URL (scripts/test-central.sh starts a throwaway PostgreSQL)"

/// A running centre on a fresh database and a random port, with an admin token.
struct LiveCentral: Sendable {
    let base: String
    let adminToken: String
    let store: CentralStore

    func call(
        _ method: String, _ path: String, token: String?, body: Data? = nil
    ) async throws -> (status: Int, json: [String: Any], raw: Data) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as! HTTPURLResponse).statusCode, json, data)
    }

    func call(_ method: String, _ path: String, token: String?, json: Any) async throws -> (status: Int, json: [String: Any], raw: Data) {
        try await call(method, path, token: token, body: try JSONSerialization.data(withJSONObject: json))
    }

    func register(_ kiosk: String, site: String) async throws -> String {
        let r = try await call("POST", "/v1/admin/kiosks", token: adminToken, json: ["kiosk": kiosk, "site": site])
        #expect(r.status == 201)
        return r.json["token"] as! String
    }

    /// Events stored at the centre for a kiosk.
    func count(_ kiosk: String) async throws -> Int64 {
        var n: Int64 = 0
        for try await c in try await store.client.query("SELECT count(*) FROM events WHERE kiosk_id = \(kiosk)").decode(Int64.self) {
            n = c
        }
        return n
    }
}

/// A fresh database named after the test, dropped afterwards.
/// `contacts`: the centre's call-back number settings (no key unless a test gives one).
func withLiveCentral(contacts: ContactSettings = ContactSettings(), _ body: @Sendable (LiveCentral) async throws -> Void) async throws {
    try await withFreshDatabase { location in
        try await withCentralProcess(on: location, contacts: contacts, migrate: true, body)
    }
}

/// A new empty database on the test server, dropped afterwards.
func withFreshDatabase(_ body: @Sendable (DatabaseLocation) async throws -> Void) async throws {
    let admin = try DatabaseLocation(url: testDatabaseURL!)
    let name = "central_test_\(UInt32.random(in: 0...UInt32.max))"
    try await withPostgres(admin, logger: quietLogger) { client in
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
    }
    var location = admin
    location.database = name
    try await body(location)
    try await withPostgres(admin, logger: quietLogger) { client in
        try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

/// What `kiosk-central serve` runs, on an existing database: the routes on a random port, the
/// signal listener and the heartbeat writer. Two of these on one database are two centre
/// processes. Returns once the signal connection listens.
func withCentralProcess(
    on location: DatabaseLocation, contacts: ContactSettings = ContactSettings(), migrate: Bool,
    _ body: @Sendable (LiveCentral) async throws -> Void
) async throws {
    let logger = quietLogger
    let client = PostgresClient(configuration: location.clientConfiguration(), backgroundLogger: logger)
    var store = CentralStore(client: client, logger: logger)
    store.contacts = contacts
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: CentralRoutes(store: store).makeRouter(),
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        services: [client],
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
        logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService() }
        var port = 0
        for await p in ports { port = p; break }
        if migrate { _ = try await applyCentralMigrations(client, logger: logger) }
        let runningStore = store
        group.addTask { await SignalListener(location: location, signals: runningStore.signals, logger: logger).run() }
        group.addTask { await runningStore.heartbeats.run(client: client, logger: logger) }
        await runningStore.signals.untilListening()
        let token = try await store.createAdminToken(label: "test")
        do {
            try await body(LiveCentral(base: "http://127.0.0.1:\(port)", adminToken: token, store: store))
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

func events(_ seqs: ClosedRange<Int64>, type: String = "ticket.issued") -> [[String: Any]] {
    seqs.map {
        ["seq": $0, "type": type, "deviceTime": "2026-11-24T09:00:00Z", "payload": ["day": "2026-11-24", "n": $0]]
    }
}

/// The repository root (Central/Tests/KioskCentralTests/Support.swift → ../../..).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Runs python3 with a script; returns stdout, fails the test on a non-zero exit.
func python(_ script: String, _ args: [String] = []) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "python3 failed: \(String(decoding: errData, as: UTF8.self))")
    return String(decoding: data, as: UTF8.self)
}
