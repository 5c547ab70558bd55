internal import CFreeType
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The glyphs a kiosk has rendered, kept in a file between starts: loading and rasterising the
/// first frame's glyphs with FreeType was about a third of the first frame's instructions, and a
/// kiosk draws the same digits and fixed strings after every power cut.
///
/// Never a wrong glyph: the file is used only when its stamp is this set's (`glyphCacheStamp`:
/// the format, the FreeType version and every font file by path, face, size, modification time
/// and inode) and its checksum matches; otherwise it is ignored whole and written again. The
/// bitmaps, advances and metrics in it are exactly what `glyph`, `advance` and `metrics`
/// computed, so pixels are the same with and without it.
extension FontSet {
    /// Bump when `glyph`, `advance` or `metrics` change how they render or measure.
    static let glyphCacheFormat = 1

    /// What the cached glyphs depend on, one line each. FreeType's version is its headers' (a
    /// set whose faces are deferred has not started FreeType): release builds link FreeType
    /// statically, and Debian's libfreetype-dev, for the shared library of debug builds, is
    /// always the same version as libfreetype6.
    public var glyphCacheStamp: String {
        var lines = ["kiosk glyph cache \(Self.glyphCacheFormat)", "freetype \(FREETYPE_MAJOR).\(FREETYPE_MINOR).\(FREETYPE_PATCH)"]
        for source in sources {
            var info = stat()
            let known = stat(source.path, &info) == 0
            lines.append("\(source) " + (known ? "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)" : "missing"))
        }
        return lines.joined(separator: "\n")
    }

    /// Reads the cache file at `path` into this set (nothing computed yet is replaced). False
    /// when it is missing, stale or damaged: then nothing is read.
    @discardableResult
    public func loadGlyphCache(path: String) -> Bool {
        guard let bytes = Self.readFile(path), bytes.count >= 16 else { return false }
        return bytes.withUnsafeBytes { load(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 8)]), checksum: $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)) }
    }

    private func load(_ body: UnsafeRawBufferPointer, checksum stored: UInt64) -> Bool {
        guard UInt64(littleEndian: stored) == Self.checksum(body) else { return false }
        var reader = CacheReader(bytes: body)
        guard let stampLength = reader.u32(), let stamp = reader.take(Int(stampLength)),
              String(decoding: stamp, as: UTF8.self) == glyphCacheStamp else { return false }
        var metrics: [(Int, (ascender: Int, lineHeight: Int))] = []
        var advanceEntries: [(UInt64, Int)] = []
        var glyphEntries: [(UInt64, Glyph)] = []
        guard let metricCount = reader.u32() else { return false }
        for _ in 0..<metricCount {
            guard let size = reader.i32(), let ascender = reader.i32(), let height = reader.i32() else { return false }
            metrics.append((size, (ascender, height)))
        }
        guard let advanceCount = reader.u32() else { return false }
        for _ in 0..<advanceCount {
            guard let key = reader.u64(), let advance = reader.i32() else { return false }
            advanceEntries.append((key, advance))
        }
        guard let glyphCount = reader.u32() else { return false }
        for _ in 0..<glyphCount {
            guard let key = reader.u64(), let w = reader.i32(), let h = reader.i32(), let left = reader.i32(), let top = reader.i32(),
                  let advance = reader.i32(), w >= 0, h >= 0, w <= 4096, h <= 4096, let alpha = reader.take(w * h) else { return false }
            glyphEntries.append((key, Glyph(width: w, height: h, left: left, top: top, advance: advance, alpha: alpha)))
        }
        guard reader.atEnd else { return false }
        for (size, m) in metrics where metricsCache[size] == nil { metricsCache[size] = m }
        for (key, advance) in advanceEntries where advances[key] == nil { advances[key] = advance }
        for (key, glyph) in glyphEntries where glyphIndex[key] == nil {
            glyphIndex[key] = glyphs.count
            glyphs.append(glyph)
        }
        computedSinceCacheRead = 0
        return true
    }

    /// Writes everything this set knows to `path` (a new file renamed over the old one), when
    /// something was computed since the cache was read; errors name the path.
    public func saveGlyphCache(path: String) throws(SystemError) {
        guard computedSinceCacheRead > 0 else { return }
        var out = CacheWriter()
        let stamp = Array(glyphCacheStamp.utf8)
        // The file's size up front (a hint: a miscount only costs a copy): grown by appends, the
        // array doubled past it, and the old and new buffers together were twice the file (295 kB
        // for 144 kB of glyphs) at a start that drew new glyphs.
        let size = 4 + stamp.count + 4 + 12 * metricsCache.count + 4 + 12 * advances.entries.count + 4
            + glyphIndex.entries.reduce(0) { $0 + 28 + glyphs[$1.value].alpha.count } + 8
        out.data.reserveCapacity(size)
        out.u32(stamp.count)
        out.bytes(stamp)
        out.u32(metricsCache.count)
        for (size, m) in metricsCache.sorted(by: { $0.key < $1.key }) { out.i32(size); out.i32(m.ascender); out.i32(m.lineHeight) }
        let advanceEntries = advances.entries.sorted { $0.key < $1.key }
        out.u32(advanceEntries.count)
        for (key, advance) in advanceEntries { out.u64(key); out.i32(advance) }
        let glyphEntries = glyphIndex.entries.sorted { $0.key < $1.key }
        out.u32(glyphEntries.count)
        for (key, index) in glyphEntries {
            let g = glyphs[index]
            out.u64(key); out.i32(g.width); out.i32(g.height); out.i32(g.left); out.i32(g.top); out.i32(g.advance)
            out.bytes(g.alpha)
        }
        out.u64(out.data.withUnsafeBytes { Self.checksum($0) })
        let temporary = path + ".new"
        let fd = try Posix.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
        do {
            _ = try Posix.writeAll(fd, out.data, path: temporary)
            Posix.close(fd)
        } catch {
            Posix.close(fd)
            unlink(temporary)
            throw error
        }
        _ = try syscall("rename", path: path) { rename(temporary, path) }
        computedSinceCacheRead = 0
    }

    /// FNV-1a's step on 64-bit little-endian words (then the last bytes one by one): a damaged
    /// or truncated file is refused rather than drawn from. Not cryptographic: the file is the
    /// kiosk's own, in its state folder.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let words = bytes.count / 8
        for i in 0..<words {
            hash = (hash ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) &* 0x100_0000_01b3
            hash ^= hash >> 29
        }
        for i in (words * 8)..<bytes.count { hash = (hash ^ UInt64(bytes[i])) &* 0x100_0000_01b3 }
        return hash
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let fd = try? Posix.open(path, O_RDONLY | O_CLOEXEC) else { return nil }
        defer { Posix.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, info.st_size < 64 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                try? Posix.pread(fd, into: buffer.baseAddress! + done, count: buffer.count - done, offset: done)
            }
            guard let n, n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}

/// Little-endian numbers appended to a byte array.
struct CacheWriter {
    var data: [UInt8] = []
    mutating func u32(_ v: Int) { for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func i32(_ v: Int) { u32(Int(Int32(truncatingIfNeeded: v))) }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func bytes(_ b: [UInt8]) { data += b }
}

/// Reads what `CacheWriter` wrote; nil past the end.
struct CacheReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    var atEnd: Bool { offset == bytes.count }
    mutating func take(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= bytes.count - offset else { return nil }
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
    }
    mutating func u64() -> UInt64? {
        guard bytes.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    mutating func u32() -> UInt32? {
        guard bytes.count - offset >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    mutating func i32() -> Int? { u32().map { Int(Int32(bitPattern: $0)) } }
}
