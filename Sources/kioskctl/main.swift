#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskRuntime

exit(ControlCommand.main(Array(CommandLine.arguments.dropFirst())))
