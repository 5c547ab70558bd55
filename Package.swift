// swift-tools-version:6.0
import PackageDescription

/// The kiosk daemon and its operator tools. No Swift package dependencies: Foundation, Dispatch,
/// Glibc and Debian C libraries through system library targets only.
/// In release builds each function gets a section of its own (`-function-sections`), as the
/// toolchain's libraries already have: lld can then lay out exactly the functions a start runs
/// (`firstFrameOrder`) and drop the unused ones; with one `.text` per source file, a file with one
/// function the start runs brought all of its code along (kioskd's code resident 4.7 → 4.2 MB
/// with the same list).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
]
/// The functions a start runs, in the order lld lays them out (packaging/first-frame.order,
/// written by scripts/first-frame-order.sh from callgrind runs of kioskd up to READY=1 and of
/// kiosk-bench's first frame).
let packageDirectory = String(#filePath.dropLast("Package.swift".count))
let firstFrameOrder = packageDirectory + "packaging/first-frame.order"
/// Release executables that start on a kiosk (kioskd, kioskctl, kiosk-bench as their stand-in):
/// linked by lld with packed relative relocations (DT_RELR, glibc 2.36+, Debian 12): the 38,700
/// relative relocations of a static Swift binary are then a 7.6 kB table instead of 0.9 MB of
/// RELA entries read at every start; about 1 MB less resident. The executable stays
/// position-independent (ASLR); lld ships with the Swift toolchain.
/// The functions a start runs are laid out together (`firstFrameOrder`): the kernel maps 64 kB
/// around every page of code touched, so scattered, they kept most of the 10 MB of code resident.
/// A function missing from the list (or a stale list) only costs memory, never correctness.
/// libstdc++ (the Swift runtime's few uses of it) comes from its archive, found through
/// packaging/link/libstdc++.so (a linker script that -lstdc++ meets before the shared library):
/// only the parts used, laid out with the rest, instead of the 2 MB shared library (1 MB resident).
/// `-static-libgcc`: the unwinder and the few compiler helpers the runtime uses come from libgcc's
/// archives instead of libgcc_s.so, one shared library fewer to load (0.1-0.2 MB resident).
/// `--no-export-dynamic` undoes the Swift driver's -export-dynamic: nothing looks up the
/// program's own symbols at run time, and the 0.4 MB dynamic symbol table it made was partly read
/// at every start (the loader looks each library symbol up in the executable first); a crash
/// backtrace of the stripped binary then shows addresses (symbolicate with the unstripped one).
let leanStart: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                  "-Xlinker", "--symbol-ordering-file=" + firstFrameOrder, "-Xlinker", "--no-warn-symbol-ordering",
                  "-Xlinker", "-T", "-Xlinker", packageDirectory + "packaging/link/private-functions.ld",
                  "-Xclang-linker", "-static-libgcc",
                  "-L", packageDirectory + "packaging/link", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux], configuration: .release)),
]
/// FreeType's headers (Debian's libfreetype-dev): CFreeType has no pkgConfig, whose -lfreetype
/// would link the shared library whatever else is linked (see `staticFreeType`).
let freetypeHeaders: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I/usr/include/freetype2"], .when(platforms: [.linux]))]
/// For every target that imports KioskFramebuffer, directly or through KioskRuntime: Swift loads
/// the CFreeType module of an imported module too (even an `internal import` of a module built
/// without library evolution), and without the headers' path that fails whenever this target's
/// compile is the first to build the module.
let drawing = strict + freetypeHeaders
/// FreeType and zlib linked statically in release builds (kioskd as shipped, kiosk-bench, the
/// simulator): Debian's libfreetype.a with what it needs (libpng16.a, libbrotlidec.a; zlib),
/// laid out with the first-frame functions, instead of five shared libraries loaded at every start.
/// Debug builds and tests link the shared libraries. Security updates of these libraries then
/// need a rebuild of the package (README, "As lean as C").
let staticFreeType: [LinkerSetting] = [
    .linkedLibrary("freetype", .when(configuration: .debug)),
    .linkedLibrary("z", .when(configuration: .debug)),
    .unsafeFlags(["-Xlinker", "-l:libfreetype.a", "-Xlinker", "-l:libpng16.a", "-Xlinker", "-l:libbrotlidec.a",
                  "-Xlinker", "-l:libbrotlicommon.a", "-Xlinker", "-l:libz.a"],
                 .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "kiosk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kioskd", targets: ["kioskd"]),
        .executable(name: "kioskctl", targets: ["kioskctl"]),
        .executable(name: "kiosk-sim", targets: ["kiosk-sim"]),
        // For kiosk-central (Central/, by path): it speaks the same protocol types, decodes synced
        // events and draws the same report, and its admin command line speaks to the centre
        // through the kiosk's libcurl client (so IT can trust a private CA with --ca-file, which
        // URLSession on Linux cannot). None of them links SQLite.
        .library(name: "KioskProtocol", targets: ["KioskProtocol"]),
        .library(name: "KioskCore", targets: ["KioskCore"]),
        .library(name: "KioskReports", targets: ["KioskReports"]),
        .library(name: "KioskCentralClient", targets: ["KioskCentralClient"]),
        // For kiosk-central's staff passwords: the same salted, slow hashes as the kiosk's PINs.
        .library(name: "KioskSecrets", targets: ["KioskSecrets"]),
        // For kiosk-central's --notify-command: split into words like announce-command, no shell.
        .library(name: "KioskAnnounce", targets: ["KioskAnnounce"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // FreeType and zlib: headers only; KioskFramebuffer links them (`staticFreeType`). Debian
        // packages libfreetype-dev, zlib1g-dev, libpng-dev, libbrotli-dev (scripts/setup-debian.sh).
        .systemLibrary(name: "CFreeType"),
        .systemLibrary(name: "CZlib"),
        .systemLibrary(name: "CEvdev", pkgConfig: "libevdev", providers: [.apt(["libevdev-dev"])]),
        .systemLibrary(name: "CLinuxFB"),
        // posix_spawn's closefrom action, which glibc declares only under _GNU_SOURCE.
        .systemLibrary(name: "CSpawn"),
        // Secret hashes: libxcrypt for yescrypt, OpenSSL's libcrypto for the old PBKDF2 form.
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        // libcrypto is opened at first use (shim.h), not linked: headers only, no pkgConfig (-lcrypto).
        .systemLibrary(name: "CLibcrypto", providers: [.apt(["libssl-dev"])]),
        // The one seam for system calls: EINTR retried, EAGAIN as `.wouldBlock`, errno as a
        // `SystemError` naming the call, the path and what to do. Glibc only.
        .target(name: "KioskSystem", swiftSettings: strict),
        .testTarget(name: "KioskSystemTests", dependencies: ["KioskSystem", "KioskTestSupport"], swiftSettings: strict),
        // libcurl directly (URLSession on Linux cannot be given a private CA file), opened at first
        // use rather than linked (shim.h: a kiosk without a centre never loads it and its 28
        // libraries). Its headers only: no pkgConfig, which would add -lcurl.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Framebuffer display: pixel formats, rotation, dirty rectangles, FreeType text, screen layout, PNG.
        // Optimised in debug builds too: the golden-image tests push millions of pixels per screen.
        .target(
            name: "KioskFramebuffer", dependencies: ["KioskCore", "KioskSystem", "CFreeType", "CZlib", "CLinuxFB"],
            swiftSettings: drawing + [.unsafeFlags(["-O"], .when(configuration: .debug))], linkerSettings: staticFreeType),
        // evdev keypads (libevdev, hotplug) and evemu recordings.
        .target(name: "KioskKeypad", dependencies: ["KioskCore", "KioskSystem", "CEvdev"], swiftSettings: strict),
        .executableTarget(name: "kiosk-bench", dependencies: ["KioskFramebuffer", "KioskKeypad", "KioskCore", "KioskSystem"], swiftSettings: drawing, linkerSettings: leanStart),
        .testTarget(name: "KioskFramebufferTests", dependencies: ["KioskFramebuffer", "KioskCore", "KioskSystem", "KioskTestSupport"], exclude: ["Golden"], swiftSettings: drawing),
        .testTarget(name: "KioskKeypadTests", dependencies: ["KioskKeypad", "KioskCore", "KioskSystem", "KioskTestSupport"], exclude: ["Recordings"], swiftSettings: strict),
        // The kiosk ↔ centre protocol: wire types, typed commands, the weather vocabulary. Foundation only.
        .target(name: "KioskProtocol", swiftSettings: strict),
        .testTarget(name: "KioskProtocolTests", dependencies: ["KioskProtocol"], swiftSettings: strict),
        // Pure decisions: configuration, queue, visit, screens, reports. No I/O.
        .target(name: "KioskCore", dependencies: ["KioskProtocol", "KioskSecrets", "KioskSystem"], swiftSettings: strict),
        // Salted, slow hashes of secrets people type (staff PINs; the centre's staff passwords):
        // yescrypt from libxcrypt, the old PBKDF2 form from libcrypto. No cryptography of our own.
        .target(name: "KioskSecrets", dependencies: ["CCrypt", "CLibcrypto"], swiftSettings: strict),
        // The blocking libcurl client of the protocol (kioskd's sync worker, kiosk-central admin).
        .target(name: "KioskCentralClient", dependencies: ["KioskProtocol", "KioskSystem", "CCurl"], swiftSettings: strict),
        // Central sync: the outbox worker as state machines plus the driver that carries out their actions.
        .target(
            name: "KioskSync", dependencies: ["KioskProtocol", "KioskCentralClient", "KioskCore", "KioskStorage"],
            swiftSettings: strict),
        .testTarget(
            name: "KioskSyncTests", dependencies: ["KioskSync", "KioskCentralClient", "KioskProtocol", "KioskStorage", "KioskCore", "KioskTestSupport"],
            swiftSettings: strict),
        // SQLite event store and current-state projections.
        .target(name: "KioskStorage", dependencies: ["KioskCore", "KioskProtocol", "CSQLite"], swiftSettings: strict),
        // ANSI text console: layout, wide characters, diffed redraw, raw terminal.
        .target(name: "KioskConsole", dependencies: ["KioskCore", "KioskSystem"], swiftSettings: strict),
        // ESC/POS ticket printing: the byte builder (pure) and the non-blocking printer device.
        .target(name: "KioskPrinting", dependencies: ["KioskSystem"], swiftSettings: strict),
        // Voice call-outs: the announce command, queued, time-limited, run without blocking the loop.
        .target(name: "KioskAnnounce", dependencies: ["KioskSystem", "CSpawn"], swiftSettings: strict),
        // Reports for managers: HTML with inline SVG charts (no JavaScript) and CSV.
        .target(name: "KioskReports", dependencies: ["KioskCore"], swiftSettings: strict),
        // The daemon's run loop and the operator commands, wiring core, storage and console.
        .target(
            name: "KioskRuntime", dependencies: ["KioskCore", "KioskStorage", "KioskConsole", "KioskFramebuffer", "KioskKeypad", "KioskSync", "KioskProtocol", "KioskPrinting", "KioskAnnounce", "KioskReports", "KioskSystem"],
            swiftSettings: drawing),
        .executableTarget(name: "kioskd", dependencies: ["KioskRuntime"], swiftSettings: drawing, linkerSettings: leanStart),
        // Simulated business days through the real core and store on a virtual clock, and the
        // accuracy of every wait estimator on them (kiosk-sim; scenarios in Kiosk/scenarios).
        .target(name: "KioskSimulation", dependencies: ["KioskCore", "KioskRuntime"], swiftSettings: drawing),
        .executableTarget(name: "kiosk-sim", dependencies: ["KioskSimulation", "KioskCore", "KioskRuntime"], swiftSettings: drawing),
        .testTarget(name: "KioskSimulationTests", dependencies: ["KioskSimulation", "KioskCore", "KioskRuntime", "KioskReports"], swiftSettings: drawing),
        .executableTarget(name: "kioskctl", dependencies: ["KioskRuntime"], swiftSettings: drawing, linkerSettings: leanStart),
        .executableTarget(
            name: "kiosk-crash-probe", dependencies: ["KioskStorage", "KioskCore", "KioskProtocol", "KioskRuntime", "KioskSystem"], swiftSettings: drawing),
        // Fixtures shared by test targets: the screens of a busy morning, a seeded random generator.
        .target(name: "KioskTestSupport", dependencies: ["KioskCore"], path: "Tests/KioskTestSupport", swiftSettings: strict),
        .testTarget(name: "KioskCoreTests", dependencies: ["KioskCore", "KioskTestSupport"], swiftSettings: strict),
        .testTarget(name: "KioskConfigurationTests", dependencies: ["KioskCore", "KioskSecrets"], swiftSettings: strict),
        .testTarget(name: "KioskReportTests", dependencies: ["KioskCore", "KioskReports"], swiftSettings: strict),
        .testTarget(
            name: "KioskStorageTests", dependencies: ["KioskStorage", "KioskRuntime", "KioskProtocol", "KioskTestSupport"],
            swiftSettings: drawing),
        .testTarget(
            name: "KioskConsoleTests", dependencies: ["KioskConsole", "KioskCore", "KioskSystem", "KioskTestSupport"],
            resources: [.copy("Snapshots")], swiftSettings: strict),
        // Control socket, reload, systemd notify, printing, call-outs, reports: real sockets and files.
        .testTarget(
            name: "KioskOperationsTests", dependencies: ["KioskRuntime", "KioskCore", "KioskProtocol", "KioskStorage", "KioskPrinting", "KioskAnnounce", "KioskReports", "KioskSystem", "KioskTestSupport"],
            swiftSettings: drawing),
    ]
)
