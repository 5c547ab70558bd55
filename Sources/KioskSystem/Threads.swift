#if canImport(Glibc)
import Glibc
#endif

/// A mutual-exclusion lock on a pthread mutex: what Foundation's `NSLock` is, without linking
/// Foundation (whose internationalisation layer, ICU, is most of a static binary's size and
/// resident memory). The daemon's modules import only FoundationEssentials.
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed with error \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

extension Posix {
    /// Starts a detached thread named `name` (at most 15 bytes are shown by ps and top) that
    /// runs `body`: Foundation's `Thread` without Foundation. A failure to start one is a
    /// programming or resource error the daemon cannot work around, so it stops with the reason.
    public static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            let name: String, body: @Sendable () -> Void
            init(_ name: String, _ body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
        }
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            // pthread_setname_np is not visible to Swift without _GNU_SOURCE; the kernel's file is.
            let comm = Glibc.open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            if comm >= 0 {
                let bytes = Array(box.name.utf8.prefix(15))
                _ = bytes.withUnsafeBytes { Glibc.write(comm, $0.baseAddress, $0.count) }
                Glibc.close(comm)
            }
            box.body()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            fatalError("cannot start the thread \(name): \(String(cString: strerror(status))); the machine is out of threads or memory")
        }
        pthread_detach(thread)
    }
}
