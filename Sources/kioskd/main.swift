#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskRuntime

// One binary, two commands: the Debian package installs kioskctl as a symlink to kioskd (two
// static binaries would each carry the Swift runtime and FoundationEssentials, about 18 MB
// stripped), so the name it was started as decides.
// No closure here: one in top-level code is main-actor isolated, and Swift 6 then checks the
// executor when it runs, which keeps 0.2 MB of the concurrency runtime's code resident.
let invokedAs = Path.lastComponent(of: CommandLine.arguments.first ?? "kioskd")
let arguments = Array(CommandLine.arguments.dropFirst())
exit(invokedAs == "kioskctl" ? ControlCommand.main(arguments) : DaemonCommand.main(arguments))
