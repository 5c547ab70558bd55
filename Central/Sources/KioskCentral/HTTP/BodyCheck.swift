import Foundation
import KioskProtocol

/// What is checked of a JSON body before it is decoded, in one pass over its bytes: decoding
/// deeply nested JSON costs time out of all proportion to its size (a 1 KB payload nested 500
/// deep took 0.6 s), and PostgreSQL can store no NUL character (`\u0000`) in text or jsonb, so a
/// body with one would fail only at the database, as a 500.
enum BodyCheck {
    enum Problem: Equatable {
        case tooDeep(offset: Int)
        case nul(offset: Int)
    }

    /// The first problem in `bytes`, nil when none. Not a validator: malformed JSON is left to
    /// the decoder.
    static func problem(in bytes: some Collection<UInt8>, maxDepth: Int = ProtocolLimits.maxJSONDepth) -> Problem? {
        var depth = 0
        var inString = false
        var offset = 0
        var iterator = bytes.makeIterator()
        // Bytes of a `\u` escape seen so far (-1: not in one); its four hex digits.
        var escape = -1
        var hex: [UInt8] = []
        var afterBackslash = false
        while let b = iterator.next() {
            defer { offset += 1 }
            if inString {
                if escape >= 0 {
                    hex.append(b)
                    if hex.count == 4 {
                        if hex == Array("0000".utf8) { return .nul(offset: offset - 5) }
                        escape = -1
                    }
                } else if afterBackslash {
                    afterBackslash = false
                    if b == UInt8(ascii: "u") {
                        escape = 0
                        hex.removeAll(keepingCapacity: true)
                    }
                } else if b == UInt8(ascii: "\\") {
                    afterBackslash = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                } else if b == 0 {
                    return .nul(offset: offset)
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { return .tooDeep(offset: offset) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            case 0: return .nul(offset: offset)
            default: break
            }
        }
        return nil
    }

    /// The 400 for a problem.
    static func error(_ problem: Problem) -> APIError {
        switch problem {
        case .tooDeep(let offset):
            APIError.badRequest(
                "too-deep", "the JSON body nests arrays and objects more than \(ProtocolLimits.maxJSONDepth) deep (at byte \(offset))",
                hint: "send flatter JSON; kiosk payloads nest a few levels at most")
        case .nul(let offset):
            APIError.badRequest(
                "nul-character", "the JSON body contains a NUL character (\\u0000) at byte \(offset)",
                hint: "send text without U+0000; the centre cannot store it")
        }
    }
}
