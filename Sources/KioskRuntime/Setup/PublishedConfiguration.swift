#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The configuration IT published at the centre (`kiosk-central admin publish-config`), as this
/// kiosk last applied it. Kept in the state folder so that a kiosk restarted while the centre is
/// unreachable runs the same version again, not the older local kiosk.conf.
public struct PublishedConfiguration: Codable, Equatable, Sendable {
    public var version: Int
    /// The whole kiosk.conf text as published.
    public var body: String

    public init(version: Int, body: String) {
        self.version = version
        self.body = body
    }

    public static let fileName = "published-config.json"

    public static func path(stateDirectory: String) -> String { stateDirectory + "/" + fileName }

    /// The stored version, nil when none was ever applied. A file that cannot be read or decoded
    /// is an error naming the file (the caller keeps the local configuration).
    public static func load(stateDirectory: String) throws -> PublishedConfiguration? {
        let path = path(stateDirectory: stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationErrors(errors: [ConfigurationError(file: path, line: 0,
                message: "cannot read the stored published configuration; check its permissions, or delete it to run kiosk.conf until the centre sends its version again")])
        }
        do {
            return try JSONDecoder().decode(PublishedConfiguration.self, from: data)
        } catch {
            throw ConfigurationErrors(errors: [ConfigurationError(file: path, line: 0,
                message: "the stored published configuration is not readable JSON; delete it to run kiosk.conf until the centre sends its version again")])
        }
    }

    /// Writes the file atomically: a temporary file in the same folder, fsynced, renamed over
    /// the old one, then the folder fsynced, so a power cut leaves either the old or the new
    /// version, never half of one.
    public func save(stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(self)
        let path = Self.path(stateDirectory: stateDirectory)
        let temporary = path + ".tmp"
        let fd: Int32
        do throws(SystemError) { fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o640) } catch {
            throw SaveError(path: temporary, step: "create", cause: error)
        }
        do throws(SystemError) {
            let bytes = [UInt8](data)
            if try Posix.writeAll(fd, bytes, path: temporary) < bytes.count { throw SystemError(.noSpace, call: "write", path: temporary) }
            _ = try syscall("fsync", path: temporary) { fsync(fd) }
        } catch {
            Posix.close(fd)
            unlink(temporary)
            throw SaveError(path: temporary, step: "write", cause: error)
        }
        Posix.close(fd)
        do throws(SystemError) { _ = try syscall("rename", path: path) { rename(temporary, path) } } catch {
            unlink(temporary)
            throw SaveError(path: path, step: "rename", cause: error)
        }
        if let dir = try? Posix.open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
            _ = try? syscall("fsync", path: stateDirectory) { fsync(dir) }
            Posix.close(dir)
        }
    }

    public struct SaveError: Error, CustomStringConvertible {
        var path: String
        var step: String
        /// The call that failed.
        public var cause: SystemError
        public var description: String {
            "cannot \(step) \(path): \(cause.code); check that the state folder is writable and not full"
        }
    }

    /// `local` with this version applied: everything the file sets replaces the local settings,
    /// except what belongs to this one machine (its id, how it reaches the centre, its printer,
    /// call-outs and station hardware). Checked like a local kiosk.conf, catalogs included;
    /// errors name the version.
    public func applied(to local: KioskSetup) -> Result<KioskSetup, ConfigurationErrors> {
        let file = "published configuration v\(version)"
        let published: Configuration
        switch ConfigurationParser.parse(body, file: file) {
        case .failure(let e): return .failure(e)
        case .success(let c): published = c
        }
        var merged = published
        let own = local.configuration
        merged.kioskID = own.kioskID
        merged.centralURL = own.centralURL
        merged.syncTokenFile = own.syncTokenFile
        merged.syncCAFile = own.syncCAFile
        merged.syncIntervalSeconds = own.syncIntervalSeconds
        merged.syncBatchSize = own.syncBatchSize
        merged.syncDiskBudgetMiB = own.syncDiskBudgetMiB
        merged.printer = own.printer
        merged.announceCommand = own.announceCommand
        merged.announceTimeoutSeconds = own.announceTimeoutSeconds
        merged.stations = own.stations
        let missing = KioskSetup.missingCatalogKeys(merged, local.catalogs).map {
            ConfigurationError(file: file, line: 0, message: "uses '\($0)', which this kiosk's message catalogs lack; add it to the catalogs or publish a version without it")
        }
        if !missing.isEmpty { return .failure(ConfigurationErrors(errors: missing)) }
        var setup = local
        setup.configuration = merged
        setup.publishedVersion = version
        setup.configSource = "published version \(version) over \(local.configSource)"
        return .success(setup)
    }
}
