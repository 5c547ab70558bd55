import Foundation
import KioskRuntime

exit(ControlCommand.main(Array(CommandLine.arguments.dropFirst())))
