import Foundation
import Synchronization
import KioskCore
import KioskRuntime
import Testing

/// Issue 13, "The control socket and the log": what a control-socket client sends reaches the log
/// escaped (no forged lines, no terminal escape sequences), and `kioskctl --state-dir DIR` finds
/// the socket of a `kioskd --demo` running on that folder.
@Suite("Client text in the log", .serialized)
struct ClientTextInTheLogTests {
    @Test func escapingLeavesNoControlCharacters() {
        #expect(Log.escaped("counter \u{1B}[2J\u{1B}[31mopen\0 2\r\n<3>forged") == #"counter \u{1B}[2J\u{1B}[31mopen\u{0} 2\u{D}\u{A}<3>forged"#)
        #expect(Log.escaped(#"a\b"#) == #"a\\b"#)
        #expect(Log.escaped("bidi \u{202E}txt.exe line\u{2028}sep \u{85}nel") == #"bidi \u{202E}txt.exe line\u{2028}sep \u{85}nel"#)
        #expect(Log.escaped("请 A001 号") == "请 A001 号")
    }

    @Test func everyLogLineIsFreeOfControlCharactersButItsNewlines() {
        #expect(Log.lines(.warning, "one\u{1B}[1A\rtwo\nthree") == "<4>one\\u{1B}[1A\\u{D}two\n<4>three\n")
    }

    @Test func aMalformedRequestWithEscapesAndNULIsLoggedEscapedOnOneLine() {
        let request = Array("counter \u{1B}]0;pwned\u{07}\u{1B}[2J\0\u{2028}<3>kioskd:forged 2".utf8)
        let (level, message) = ControlServer.logEntry(for: ControlRequest.parse(request))
        #expect(level == .warning)
        let written = Log.lines(level, message)
        #expect(written.filter { $0 == "\n" }.count == 1)
        #expect(!written.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 })
        #expect(written == #"<4>control: refused a malformed request: counter '\u{1B}]0;pwned\u{7}\u{1B}[2J\u{0}\u{2028}<3>kioskd:forged': use open, pause or close"# + "\n")
    }

    @Test func kioskctlFindsTheSocketOfADemoDaemonOnItsStateFolder() throws {
        let folder = makeTemporaryFolder("demo-socket")
        let state = folder + "/state"
        // kioskd --demo --state-dir STATE listens where this rule says; kioskctl uses the same rule.
        let demoDirectory = ControlSocketLocation.daemonDirectory(runtimeDirectory: nil, demo: true, stateDirectory: state)
        #expect(demoDirectory == state)
        let rig = try Rig(runtimeDirectory: demoDirectory, stateDirectory: state)
        let (status, output, errors) = try rig.run {
            let out = Mutex("")
            let err = Mutex("")
            let status = ControlCommand.main(["--state-dir", state, "weather", "rain"],
                                             output: { t in out.withLock { $0 += t } }, error: { t in err.withLock { $0 += t } })
            return (status, out.withLock { $0 }, err.withLock { $0 })
        }
        #expect(status == 0, "\(errors)")
        #expect(output == "weather is rain\n")
        // Without a demo daemon there, the system daemon's socket is the one looked for.
        #expect(ControlSocketLocation.clientPath(runtimeDirectory: nil, environment: [:], stateDirectory: folder + "/elsewhere") == "/run/kiosk/control.sock")
        #expect(ControlSocketLocation.clientPath(runtimeDirectory: "/tmp/r", environment: [:], stateDirectory: state) == "/tmp/r/control.sock")
    }
}
