import Foundation
import KioskRuntime

exit(DaemonCommand.main(Array(CommandLine.arguments.dropFirst())))
