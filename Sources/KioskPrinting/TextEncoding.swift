#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Text as the printer's character set wants it. Chinese thermal printers take GB18030 (GBK for
/// the common characters) in their Chinese mode; glibc's iconv converts, so no table ships here.
public enum PrinterText {
    /// Encodes `text` as GB18030; characters iconv cannot convert become `?`.
    public static func gb18030(_ text: String) -> [UInt8] { convert(Array(text.utf8), from: "UTF-8", to: "GB18030") ?? Array(text.utf8) }

    /// Decodes GB18030 bytes (tests read printed tickets back with it).
    public static func decodeGB18030(_ bytes: [UInt8]) -> String? {
        convert(bytes, from: "GB18030", to: "UTF-8").flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// `iconv(3)` over a whole buffer; an unconvertible character is replaced by `?` and skipped.
    static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var source = input.map { CChar(bitPattern: $0) }
        var output = [UInt8]()
        var buffer = [CChar](repeating: 0, count: 4 * input.count + 16)
        var inLeft = source.count
        var offset = 0
        while inLeft > 0 {
            let (rc, code, produced, used) = source.withUnsafeMutableBufferPointer { src in
                buffer.withUnsafeMutableBufferPointer { dst in
                    var inPtr: UnsafeMutablePointer<CChar>? = src.baseAddress! + offset
                    var outPtr: UnsafeMutablePointer<CChar>? = dst.baseAddress!
                    var left = inLeft
                    var outLeft = dst.count
                    let rc = iconv(cd, &inPtr, &left, &outPtr, &outLeft)
                    return (rc, errno, dst.count - outLeft, inLeft - left)
                }
            }
            output += buffer[0..<produced].map { UInt8(bitPattern: $0) }
            offset += used
            inLeft -= used
            if rc == -1 {
                guard code == EILSEQ || code == EINVAL else { return nil }
                // Skip one invalid UTF-8 scalar (its leading byte and continuation bytes).
                output.append(UInt8(ascii: "?"))
                offset += 1; inLeft -= 1
                while inLeft > 0, UInt8(bitPattern: source[offset]) & 0xC0 == 0x80 { offset += 1; inLeft -= 1 }
            }
        }
        _ = source
        return output
    }
}
