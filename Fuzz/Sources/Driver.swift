import Foundation

/// One libFuzzer executable for every target, the target chosen by `KIOSK_FUZZ_TARGET`
/// (scripts/fuzz.sh sets it): one sanitised build serves all seven, which keeps `make test`'s
/// smoke run cheap. Each target feeds the bytes to the code that reads them in production and
/// checks what that code promises beyond "no crash"; a broken promise is a crash libFuzzer keeps.

/// The targets by name, as scripts/fuzz.sh lists them.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "config": fuzzConfiguration,
    "catalog": fuzzCatalog,
    "keymap": fuzzKeyMap,
    "evemu": fuzzEvemu,
    "control": fuzzControl,
    "central": fuzzCentral,
    "event": fuzzStoredEvent,
]

/// Read once: libFuzzer calls the callback millions of times.
let selected: @Sendable ([UInt8]) -> Void = {
    let name = ProcessInfo.processInfo.environment["KIOSK_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        let message = "kiosk-fuzz: set KIOSK_FUZZ_TARGET to one of \(targets.keys.sorted().joined(separator: ", ")) (got '\(name)')\n"
        FileHandle.standardError.write(Data(message.utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    selected(Array(UnsafeBufferPointer(start: data, count: count)))
    return 0
}

/// A broken promise: says which, then traps so libFuzzer saves the input as a crash.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        FileHandle.standardError.write(Data("kiosk-fuzz: \(message())\n".utf8))
        fatalError("kiosk-fuzz: broken promise")
    }
}

/// Longest diagnostic any reader may produce, whatever the input: a message quotes at most an
/// excerpt of the person's text (`Excerpt`), never a whole line of it.
let longestDiagnostic = 1_000
