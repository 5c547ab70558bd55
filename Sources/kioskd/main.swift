import Foundation
import KioskRuntime

// One binary, two commands: the Debian package installs kioskctl as a symlink to kioskd (each
// static binary is most of 60 MB of Foundation and ICU), so the name it was started as decides.
let invokedAs = CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "kioskd"
let arguments = Array(CommandLine.arguments.dropFirst())
exit(invokedAs == "kioskctl" ? ControlCommand.main(arguments) : DaemonCommand.main(arguments))
