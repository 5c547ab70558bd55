import Foundation
import KioskCentralClient
import KioskProtocol
import Testing

/// What the operator reads when the centre cannot be reached or its certificate is not trusted.
@Suite("Central client errors")
struct CentralClientTests {
    @Test func anUnreachableCentreIsATransientErrorNamingTheURL() throws {
        let client = CentralClient(baseURL: "http://127.0.0.1:1/", token: "t", requestTimeout: 5)
        #expect(throws: SyncError.self) { try client.heartbeat(Heartbeat(version: "test")) }
        do {
            try client.heartbeat(Heartbeat(version: "test"))
        } catch let e {
            guard e.isTransient else {
                Issue.record("an unreachable centre is retried with backoff: \(e)")
                return
            }
            let message = e.message
            #expect(message.hasPrefix("cannot reach the centre at http://127.0.0.1:1:"), "\(message)")
        }
    }

    @Test func anUnreadableCAFileSaysWhatToFix() throws {
        // TLS to a port that never answers is not needed: the CA file is loaded before connecting.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 4)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        // The handshake starts (the listener accepts in the kernel), then the CA file fails to load.
        let client = CentralClient(baseURL: "https://127.0.0.1:\(port)", token: "t", caFile: "/nonexistent/ca.pem", requestTimeout: 3)
        do {
            try client.heartbeat(Heartbeat(version: "test"))
            Issue.record("no TLS without a CA file")
        } catch let e {
            #expect(e.description.contains("/nonexistent/ca.pem"), "\(e)")
            #expect(e.description.contains("ca-file") || e.description.contains("cannot reach"), "\(e)")
        }
    }
}
