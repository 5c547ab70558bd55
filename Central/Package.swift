// swift-tools-version:6.0
import PackageDescription

/// kiosk-central: the server every kiosk syncs to (events, configuration, commands, health),
/// on PostgreSQL. A separate package so the kiosk itself keeps depending on no Swift package.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "kiosk-central",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "kiosk-central", targets: ["kiosk-central"])],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Long-polls answer at once on SIGTERM (already in the graph through Hummingbird).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        // AES-GCM for residents' call-back numbers at rest (already in the graph through postgres-nio).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        // The kiosk package itself (which depends on nothing): the same protocol types (KioskProtocol),
        // synced events decoded as KioskCore's KioskEvent, report pages by the kiosk's own ReportBuilder.
        .package(name: "kiosk", path: ".."),
    ],
    targets: [
        // Token hashing, migrations, the HTTP application and the store (wire types: KioskProtocol).
        .target(
            name: "KioskCentral",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "KioskProtocol", package: "kiosk"),
                .product(name: "KioskCore", package: "kiosk"),
                .product(name: "KioskReports", package: "kiosk"),
                // --notify-command is split like the kiosk's announce-command (no shell).
                .product(name: "KioskAnnounce", package: "kiosk"),
                // Staff passwords at the case desk: yescrypt, as the kiosk's staff PINs.
                .product(name: "KioskSecrets", package: "kiosk"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "kiosk-central",
            dependencies: [
                "KioskCentral",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "KioskProtocol", package: "kiosk"),
                // The kiosk's message catalogs (the case desk's names of reasons and root causes).
                .product(name: "KioskCore", package: "kiosk"),
                // The kiosk's libcurl client (no storage, no SQLite): --ca-file works.
                .product(name: "KioskCentralClient", package: "kiosk"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "KioskCentralTests",
            dependencies: [
                "KioskCentral",
                .product(name: "KioskProtocol", package: "kiosk"),
                .product(name: "KioskCore", package: "kiosk"),
                .product(name: "KioskReports", package: "kiosk"),
            ],
            swiftSettings: strict),
    ]
)
