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
let invokedAs = CommandLine.arguments.first.map { Path.lastComponent(of: $0) } ?? "kioskd"
let arguments = Array(CommandLine.arguments.dropFirst())
exit(invokedAs == "kioskctl" ? ControlCommand.main(arguments) : DaemonCommand.main(arguments))
