// swift-tools-version:6.0
import PackageDescription

/// The kiosk daemon and its operator tools. No Swift package dependencies: Foundation, Dispatch,
/// Glibc and Debian C libraries through system library targets only.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "kiosk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kioskd", targets: ["kioskd"]),
        .executable(name: "kioskctl", targets: ["kioskctl"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Pure decisions: configuration, queue, visit, screens, reports. No I/O.
        .target(name: "KioskCore", swiftSettings: strict),
        // SQLite event store and current-state projections.
        .target(name: "KioskStorage", dependencies: ["KioskCore", "CSQLite"], swiftSettings: strict),
        // ANSI text console: layout, wide characters, diffed redraw, raw terminal.
        .target(name: "KioskConsole", dependencies: ["KioskCore"], swiftSettings: strict),
        // The daemon's run loop and the operator commands, wiring core, storage and console.
        .target(
            name: "KioskRuntime", dependencies: ["KioskCore", "KioskStorage", "KioskConsole"],
            swiftSettings: strict),
        .executableTarget(name: "kioskd", dependencies: ["KioskRuntime"], swiftSettings: strict),
        .executableTarget(name: "kioskctl", dependencies: ["KioskRuntime"], swiftSettings: strict),
        .executableTarget(
            name: "kiosk-crash-probe", dependencies: ["KioskStorage", "KioskCore", "KioskRuntime"], swiftSettings: strict),
        .testTarget(name: "KioskCoreTests", dependencies: ["KioskCore"], swiftSettings: strict),
        .testTarget(name: "KioskConfigurationTests", dependencies: ["KioskCore"], swiftSettings: strict),
        .testTarget(name: "KioskReportTests", dependencies: ["KioskCore"], swiftSettings: strict),
        .testTarget(
            name: "KioskStorageTests", dependencies: ["KioskStorage", "KioskRuntime"],
            swiftSettings: strict),
        .testTarget(
            name: "KioskConsoleTests", dependencies: ["KioskConsole", "KioskCore"],
            resources: [.copy("Snapshots")], swiftSettings: strict),
    ]
)
