import ArgumentParser
import Foundation
import Glibc
import KioskCentral

/// `kiosk-central admin user …`: case desk accounts, run on the server against the database
/// (like `create-admin-token`), so the first admin needs nothing but the database URL.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Case desk accounts (run on the server, against the database): add, reset, disable, enable, list.",
        subcommands: [Add.self, Reset.self, Disable.self, Enable.self, List.self])

    struct PasswordOptions: ParsableArguments {
        @Option(help: "Read the password from this file's first line ('-' for standard input); default: ask twice on the terminal.")
        var passwordFile: String?

        func password(for name: String) throws -> String {
            if let passwordFile {
                let text: String
                if passwordFile == "-" {
                    text = readLine(strippingNewline: true) ?? ""
                } else {
                    guard let data = FileManager.default.contents(atPath: passwordFile) else {
                        throw CentralError("cannot read \(passwordFile)", hint: "check the path and that you may read it")
                    }
                    text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
                }
                if let problem = StaffPasswords.problem(text) { throw CentralError(problem, hint: "put another password in \(passwordFile)") }
                return text
            }
            guard isatty(STDIN_FILENO) == 1 else {
                throw CentralError("no terminal to ask for the password", hint: "pass --password-file FILE (or --password-file - and the password on standard input)")
            }
            let first = try Self.ask("New password for \(name): ")
            if let problem = StaffPasswords.problem(first) { throw CentralError(problem, hint: "run the command again") }
            guard try Self.ask("Once more: ") == first else {
                throw CentralError("the two passwords differ", hint: "run the command again and type the same password twice")
            }
            return first
        }

        /// Reads a line from the terminal without echoing it.
        static func ask(_ prompt: String) throws -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var old = termios()
            tcgetattr(STDIN_FILENO, &old)
            var quiet = old
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            guard let line = readLine(strippingNewline: true) else {
                throw CentralError("no password was typed", hint: "run the command again")
            }
            return line
        }
    }

    static func withStore<T: Sendable>(_ db: DatabaseOptions, _ body: @Sendable (CentralStore) async throws -> T) async throws -> T {
        var quiet = makeLogger("kiosk-central.user")
        // The pool's own notices (a connection closed at exit) are noise for a one-shot command.
        if ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { quiet.logLevel = .warning }
        let logger = quiet
        return try await withPostgres(try db.location(), logger: logger) { client in
            _ = try await applyCentralMigrations(client, logger: logger)
            return try await body(CentralStore(client: client, logger: logger))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a desk account.",
            discussion: "Example: kiosk-central admin user add zhang.min --role handler --site tower-a --display-name 张敏")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Account name (what the person types to sign in): A-Z a-z 0-9 . _ -") var name: String
        @Option(help: "handler, manager or admin.") var role: String
        @Option(help: "A site this person works on (repeat for several; not for an admin).") var site: [String] = []
        @Option(help: "The name the desk shows (e.g. 张敏).") var displayName: String = ""
        @OptionGroup var password: PasswordOptions

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else {
                throw CentralError("role '\(role)' is not one of handler, manager, admin", hint: "pass --role handler (or manager, admin)")
            }
            try CentralStore.validateStaffAccount(name: name, role: role, sites: site)
            let secret = try password.password(for: name)
            let (name, displayName, sites) = (self.name, self.displayName, self.site)
            let (user, unknown) = try await User.withStore(db) { store in
                let user = try await store.addStaffUser(name: name, displayName: displayName, role: role, sites: sites, password: secret)
                return (user, try await store.unknownSites(sites))
            }
            print("added \(user.role.rawValue) \(user.name)\(user.sites.isEmpty ? " (every site)" : " for " + user.sites.joined(separator: ", "))")
            if !unknown.isEmpty {
                print("note: no kiosk is registered at \(unknown.joined(separator: ", ")) yet; check the spelling (`kiosk-central admin kiosks`)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an account a new password (its sessions end).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Account name.") var name: String
        @OptionGroup var password: PasswordOptions
        func run() async throws {
            let secret = try password.password(for: name)
            let name = self.name
            try await User.withStore(db) { try await $0.resetStaffPassword(name: name, password: secret) }
            print("new password set for \(name); signed out everywhere")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account (it cannot sign in; its sessions end at once).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Account name.") var name: String
        func run() async throws {
            let name = self.name
            try await User.withStore(db) { try await $0.setStaffDisabled(name: name, true) }
            print("disabled \(name)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Account name.") var name: String
        func run() async throws {
            let name = self.name
            try await User.withStore(db) { try await $0.setStaffDisabled(name: name, false) }
            print("enabled \(name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var db: DatabaseOptions
        func run() async throws {
            let users = try await User.withStore(db) { try await $0.staffUsers() }
            if users.isEmpty { print("no accounts yet; add one with `kiosk-central admin user add NAME --role admin`") }
            for u in users {
                let sites = u.role == .admin ? "every site" : u.sites.joined(separator: ",")
                print([u.name, u.role.rawValue, sites, u.displayName.isEmpty ? "-" : u.displayName,
                       u.disabled ? "disabled" : "active", "created \(u.createdAt)"].joined(separator: "\t"))
            }
        }
    }
}
