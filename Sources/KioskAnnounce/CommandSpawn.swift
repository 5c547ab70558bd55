#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import CSpawn

/// How a configured command is started, the same way for kioskd's `announce-command` and
/// kiosk-central's `notify-command`: `posix_spawn` without a shell, in a new process group (a
/// time-limit kill of the group takes the command's own children too), with default signal
/// handling and an empty signal mask (whatever the caller blocks or ignores), stdin from
/// /dev/null, stdout and stderr into `output`, and no other descriptor of the caller: one left
/// open without close-on-exec (a library's pipe, a socket) would otherwise stay open as long as
/// the command runs, and whoever waits for that pipe's end of file would wait for the command.
public enum CommandSpawn {
    /// Starts `argv` (`argv[0]` searched on PATH when `searchPath`, else `program` as given):
    /// the child's pid, or the errno `posix_spawn` failed with (pid 0).
    public static func start(_ program: String, _ argv: [String], searchPath: Bool, output fd: Int32) -> (pid: pid_t, errno: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = searchPath
            ? posix_spawnp(&pid, program, &actions, &attributes, cArgs, environ)
            : posix_spawn(&pid, program, &actions, &attributes, cArgs, environ)
        return rc == 0 ? (pid, 0) : (0, rc)
    }
}
