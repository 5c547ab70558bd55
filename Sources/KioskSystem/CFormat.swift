#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// `format` filled in by the C library's printf (`"%02d"`, `"%.1f"`, `"%04x"`): exactly what
    /// Foundation's `String(format:)` printed for these numeric conversions, without linking
    /// Foundation and its internationalisation layer. Numbers and C strings only: there is no
    /// `%@` (put strings together in Swift instead).
    public init(cFormat format: String, _ arguments: any CVarArg...) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 64)
            var needed = 0
            // vsnprintf consumes its va_list: a second pass needs a fresh one.
            needed = Int(buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) })
            if needed >= buffer.count {
                buffer = [CChar](repeating: 0, count: needed + 1)
                _ = withVaList(arguments) { again in
                    buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, again) }
                }
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
