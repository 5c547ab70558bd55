@testable import KioskCore

/// kiosk.conf as `kioskd --check-config` reads it: the bytes through the UTF-8 check, then the
/// parser (also on the repaired text, so invalid bytes do not stop the fuzzer at the door).
@Sendable func fuzzConfiguration(_ bytes: [UInt8]) {
    let file = "kiosk.conf"
    if case .failure(let errors) = ConfigurationLexer.decodeUTF8(bytes, file: file) { checkDiagnostics(errors.errors) }
    let checked = ConfigurationParser.check(String(decoding: bytes, as: UTF8.self), file: file)
    checkDiagnostics(checked.warnings)
    if case .failure(let errors) = checked.result {
        require(!errors.errors.isEmpty, "a failed parse names no error")
        checkDiagnostics(errors.errors)
    }
}

/// A message catalog (`Kiosk/messages/*.catalog`), in both languages' files.
@Sendable func fuzzCatalog(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    switch CatalogParser.parse(text, language: .english, file: "en.catalog") {
    case .success(let catalog):
        require(!catalog.entries.keys.contains(""), "a catalog entry with an empty key")
    case .failure(let errors):
        require(!errors.errors.isEmpty, "a failed parse names no error")
        checkDiagnostics(errors.errors)
    }
}

/// keymap.conf, then every input of the parsed maps looked up again.
@Sendable func fuzzKeyMap(_ bytes: [UInt8]) {
    if case .failure(let errors) = ConfigurationLexer.decodeUTF8(bytes, file: "keymap.conf") { checkDiagnostics(errors.errors) }
    let text = String(decoding: bytes, as: UTF8.self)
    switch KeyMap.parse(text, file: "keymap.conf") {
    case .success(let maps):
        for (section, map) in maps {
            require(["terminal", "evdev"].contains(section), "a key map section '\(section)'")
            for (input, key) in map.bindings { require(map.key(for: input) == key, "binding '\(input)' not found again") }
        }
    case .failure(let errors):
        require(!errors.errors.isEmpty, "a failed parse names no error")
        checkDiagnostics(errors.errors)
    }
    // The terminal's lookups take what a terminal sends: any text.
    _ = KeyMap.terminalName(for: text)
    _ = KeyMap.defaultTerminal.key(for: text)
}

/// Every diagnostic names a line (or 0 for the whole file) and is of bounded length.
func checkDiagnostics(_ errors: [ConfigurationError]) {
    for e in errors {
        require(e.line >= 0, "a diagnostic on line \(e.line)")
        require(e.message.utf8.count <= longestDiagnostic, "a diagnostic of \(e.message.utf8.count) bytes: \(e.message.prefix(300))…")
    }
}
