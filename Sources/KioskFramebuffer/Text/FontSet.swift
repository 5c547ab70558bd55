internal import CFreeType
import KioskSystem
#if canImport(Glibc)
import Glibc
#endif

/// A font file and face index to load.
public struct FontSource: Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// Face inside a collection (.ttc): NotoSansCJK-Regular.ttc has Simplified Chinese at 2.
    public var faceIndex: Int
    public init(path: String, faceIndex: Int = 0) { self.path = path; self.faceIndex = faceIndex }
    public var description: String { faceIndex == 0 ? path : "\(path)#\(faceIndex)" }

    /// Parses `PATH` or `PATH#INDEX`.
    public init(spec: String) {
        if let hash = spec.lastIndex(of: "#"), let i = Int(spec[spec.index(after: hash)...]) {
            self.init(path: String(spec[..<hash]), faceIndex: i)
        } else {
            self.init(path: spec)
        }
    }

    /// Debian's fonts with full Chinese coverage, best first.
    public static let chineseSearchOrder: [FontSource] = [
        FontSource(path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", faceIndex: 2),
        FontSource(path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        FontSource(path: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
        FontSource(path: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", faceIndex: 2),
    ]

    /// Fallbacks for symbols a CJK font may lack (•, ·, ℃ …).
    public static let symbolFallbacks: [FontSource] = [
        FontSource(path: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ]
}

/// A font that failed to load or lacks Chinese, with what to do.
public struct FontError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// The faces text is drawn with: a primary face that covers Chinese, then fallbacks tried per
/// character. One FreeType library per set; not thread-safe (the daemon draws on one thread).
public final class FontSet {
    /// FreeType with its modules (nil while the faces are deferred, see `cached`).
    private(set) var library: FT_Library?
    private var faces: [FT_Face] = []
    /// The stream each face reads its file through (ours to free once the face is done).
    private var streams: [FT_Stream] = []
    /// The font files of `faces`: the primary one first, then the fallbacks that opened. For a
    /// set whose faces are deferred, the files they will be opened from.
    public private(set) var sources: [FontSource]
    /// What to open on first need when this set was made by `cached` from its glyph cache file
    /// without FreeType: nil once the faces are open.
    private var deferred: (preferred: FontSource?, fallbacks: [FontSource])?
    /// Rendered glyphs, and where each is in `glyphs` by (size, code point). These three are read
    /// for every character drawn or measured, and never lent out while one is changed (a lookup,
    /// then an append): without the run-time exclusivity check on each read, a full frame runs
    /// 3.4% fewer instructions (callgrind, 44.0 → 42.5 M for five frames).
    @exclusivity(unchecked) var glyphs: [Glyph] = []
    @exclusivity(unchecked) var glyphIndex = SizeScalarTable()
    /// Advances by (size, code point), apart from the bitmaps: layout measures a lot.
    @exclusivity(unchecked) var advances = SizeScalarTable()
    var metricsCache: [Int: (ascender: Int, lineHeight: Int)] = [:]
    /// Glyphs, advances and metrics computed since the glyph cache file was read (`saveGlyphCache`).
    var computedSinceCacheRead = 0
    /// One FreeType size object per face and pixel size (FT_Done_Face frees them). Setting a
    /// face's pixel size again makes the TrueType interpreter run the font's `prep` program
    /// again before the next glyph, and layout switches sizes all the time: that interpreter was
    /// the largest single cost of the first frame. A size's hinting state is the same whenever
    /// it is made, so the glyphs are too.
    private var sizeObjects: [[Int: FT_Size]] = []

    /// Loads `preferred` (from configuration) if given, else the first installed font of the
    /// Chinese search order, plus symbol fallbacks. Fails with a message naming what was tried
    /// when no font covers Chinese.
    public init(preferred: FontSource? = nil, fallbacks: [FontSource] = FontSource.symbolFallbacks) throws {
        (library, faces, streams, sources) = try FontSet.open(preferred: preferred, fallbacks: fallbacks)
        sizeObjects = Array(repeating: [:], count: faces.count)
    }

    /// A set whose faces are opened on first need: FreeType is not started, the font files not
    /// read, until a glyph, an advance or metrics are asked for that its glyph cache lacks.
    private init(deferring preferred: FontSource?, fallbacks: [FontSource], sources: [FontSource]) {
        self.sources = sources
        deferred = (preferred, fallbacks)
    }

    /// The set `init(preferred:fallbacks:)` makes, with its glyph cache file read (the file at
    /// `cachePath(sources)`, nil for none). When the file is there and its stamp names the font
    /// files the set would open (unchanged since the file was written, when they were opened and
    /// checked), the faces are left unopened until something the file lacks is asked for: a
    /// kiosk's start then draws its first frames without FreeType (its modules' code, the faces'
    /// glyph locations: about 0.7 MB of the first frame's resident set, issue 14). The glyphs
    /// are the same either way (they are the ones the file holds, or FreeType's).
    public static func cached(preferred: FontSource? = nil, fallbacks: [FontSource] = FontSource.symbolFallbacks,
                              cachePath: ([FontSource]) -> String?) throws -> FontSet {
        let installed = (preferred.map { [$0] } ?? FontSource.chineseSearchOrder).first { access($0.path, F_OK) == 0 }
        if let installed {
            let expected = [installed] + fallbacks.filter { access($0.path, F_OK) == 0 }
            if let path = cachePath(expected) {
                let set = FontSet(deferring: preferred, fallbacks: fallbacks, sources: expected)
                if set.loadGlyphCache(path: path) { return set }
            }
        }
        let set = try FontSet(preferred: preferred, fallbacks: fallbacks)
        if let path = cachePath(set.sources) { set.loadGlyphCache(path: path) }
        return set
    }

    /// Opens the faces of a set made by `cached` (a no-op once open). Should that fail now
    /// (the font file gone or changed since the start), the set draws what its cache holds and
    /// nothing else, as for characters no font has.
    private func openDeferredFaces() {
        guard let (preferred, fallbacks) = deferred else { return }
        deferred = nil
        guard let opened = try? FontSet.open(preferred: preferred, fallbacks: fallbacks) else { return }
        (library, faces, streams, sources) = opened
        sizeObjects = Array(repeating: [:], count: faces.count)
    }

    /// FreeType and the faces for `init(preferred:fallbacks:)`.
    private static func open(preferred: FontSource?, fallbacks: [FontSource]) throws
        -> (library: FT_Library?, faces: [FT_Face], streams: [FT_Stream], sources: [FontSource]) {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0 else { throw FontError(description: "FreeType failed to initialise") }
        var tried: [String] = []
        var primary: (FT_Face, FT_Stream, FontSource)?
        for source in preferred.map({ [$0] }) ?? FontSource.chineseSearchOrder {
            guard access(source.path, F_OK) == 0 else { tried.append("\(source) (not installed)"); continue }
            guard let (face, stream) = FontSet.openFace(source, library: library) else {
                tried.append("\(source) (not a font FreeType can read)"); continue
            }
            guard FT_Get_Char_Index(face, 0x4E2D) != 0, FT_Get_Char_Index(face, 0x53F7) != 0 else {  // 中, 号
                tried.append("\(source) (has no Chinese characters)")
                FontSet.closeFace(face, stream)
                continue
            }
            primary = (face, stream, source)
            break
        }
        guard let primary else {
            FT_Done_FreeType(library)
            let advice = preferred == nil
                ? "install a Chinese font (apt-get install fonts-wqy-microhei, or fonts-noto-cjk) or set font = PATH for the station in kiosk.conf"
                : "set font = to a font with Chinese characters, e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (apt-get install fonts-wqy-microhei)"
            throw FontError(description: "no font that can show Chinese was found; tried \(tried.joined(separator: ", ")); \(advice)")
        }
        var faces = [primary.0]
        var streams = [primary.1]
        var loaded = [primary.2]
        for source in fallbacks where access(source.path, F_OK) == 0 {
            if let (face, stream) = FontSet.openFace(source, library: library) {
                faces.append(face)
                streams.append(stream)
                loaded.append(source)
            }
        }
        return (library, faces, streams, loaded)
    }

    /// Makes `size` pixels the active size of face `index`, from its own size object.
    private func activate(_ index: Int, size: Int) {
        let face = faces[index]
        if let known = sizeObjects[index][size] {
            if face.pointee.size != known { FT_Activate_Size(known) }
            return
        }
        var created: FT_Size?
        if FT_New_Size(face, &created) == 0, let created {
            FT_Activate_Size(created)
            sizeObjects[index][size] = created
        }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(size))
    }

    deinit {
        for (face, stream) in zip(faces, streams) { FontSet.closeFace(face, stream) }
        if let library { FT_Done_FreeType(library) }
    }

    /// Opens a face that reads its file with pread(2) rather than FreeType's default of mapping
    /// the whole file: FreeType copies the few tables it keeps (character map, glyph locations)
    /// and reads a glyph's outline only when it renders it (once: bitmaps are cached). A mapped
    /// CJK font (5–20 MB) left several megabytes resident, mostly pages the kernel mapped around
    /// the ones read; the glyphs drawn are the same.
    private static func openFace(_ source: FontSource, library: FT_Library?) -> (FT_Face, FT_Stream)? {
        guard let fd = try? Posix.open(source.path, O_RDONLY | O_CLOEXEC) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { Posix.close(fd); return nil }
        let stream = FT_Stream.allocate(capacity: 1)
        stream.initialize(to: FT_StreamRec())
        stream.pointee.size = UInt(info.st_size)
        stream.pointee.descriptor.value = Int(fd)
        stream.pointee.read = { stream, offset, buffer, count in
            guard let stream else { return count == 0 ? 1 : 0 }
            if count == 0 { return offset <= stream.pointee.size ? 0 : 1 }  // a seek: 0 is success
            guard let buffer else { return 0 }
            let fd = Int32(truncatingIfNeeded: stream.pointee.descriptor.value)
            var done = 0
            while done < Int(count) {
                guard let n = try? Posix.pread(fd, into: buffer + done, count: Int(count) - done, offset: Int(offset) + done), n > 0 else { break }
                done += n
            }
            return UInt(done)
        }
        stream.pointee.close = { stream in
            guard let stream, stream.pointee.descriptor.value >= 0 else { return }
            Posix.close(Int32(truncatingIfNeeded: stream.pointee.descriptor.value))
            stream.pointee.descriptor.value = -1
        }
        var args = FT_Open_Args()
        args.flags = FT_UInt(FT_OPEN_STREAM)
        args.stream = stream
        var face: FT_Face?
        guard FT_Open_Face(library, &args, FT_Long(source.faceIndex), &face) == 0, let face else {
            // FreeType has closed the stream (and so the file); the record is ours.
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        return (face, stream)
    }

    /// Closes a face from `openFace` (FreeType closes the file) and frees its stream record.
    private static func closeFace(_ face: FT_Face, _ stream: FT_Stream) {
        FT_Done_Face(face)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Ascender (baseline below the top) and line height in pixels for a pixel size, from the
    /// primary face.
    public func metrics(size: Int) -> (ascender: Int, lineHeight: Int) {
        if let m = metricsCache[size] { return m }
        openDeferredFaces()
        guard let face = faces.first else { return (size, size) }
        activate(0, size: size)
        let m = face.pointee.size.pointee.metrics
        let result = (ascender: Int((m.ascender + 63) >> 6), lineHeight: Int((m.height + 63) >> 6))
        metricsCache[size] = result
        computedSinceCacheRead += 1
        return result
    }

    /// How far the pen moves for a character (cached apart from the bitmaps: layout measures a lot).
    /// Layout measures text at every size it tries and most of those are never drawn, so a
    /// measured character is loaded (and hinted) without rendering or keeping its bitmap.
    @inline(__always)
    public func advance(_ scalar: Unicode.Scalar, size: Int) -> Int {
        let key = SizeScalarTable.key(size: size, scalar: scalar)
        if let a = advances[key] { return a }
        var a = size / 2  // as for a glyph that does not load
        if let i = glyphIndex[key] {
            a = glyphs[i].advance
        } else if let face = face(for: scalar, size: size) {
            if FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_DEFAULT)) == 0, let slot = face.pointee.glyph {
                a = Int((slot.pointee.advance.x + 32) >> 6)
            }
        }
        advances[key] = a
        computedSinceCacheRead += 1
        return a
    }

    /// The face that has `scalar` (else the primary one), set to `size` pixels; nil when no face
    /// could be opened (see `openDeferredFaces`).
    private func face(for scalar: Unicode.Scalar, size: Int) -> FT_Face? {
        openDeferredFaces()
        guard !faces.isEmpty else { return nil }
        let index = faces.firstIndex { FT_Get_Char_Index($0, FT_ULong(scalar.value)) != 0 } ?? 0
        activate(index, size: size)
        return faces[index]
    }

    /// The anti-aliased glyph for a character at a pixel size (rendered once, then cached).
    public func glyph(_ scalar: Unicode.Scalar, size: Int) -> Glyph {
        let key = SizeScalarTable.key(size: size, scalar: scalar)
        if let i = glyphIndex[key] { return glyphs[i] }
        var g = Glyph(width: 0, height: 0, left: 0, top: 0, advance: size / 2, alpha: [])
        if let face = face(for: scalar, size: size), FT_Load_Char(face, FT_ULong(scalar.value), FT_Int32(FT_LOAD_RENDER)) == 0, let slot = face.pointee.glyph {
            let bitmap = slot.pointee.bitmap
            let w = Int(bitmap.width), h = Int(bitmap.rows), pitch = Int(bitmap.pitch)
            var alpha = [UInt8](repeating: 0, count: w * h)
            if let buffer = bitmap.buffer, w > 0, h > 0 {
                for y in 0..<h { for x in 0..<w { alpha[y * w + x] = buffer[y * pitch + x] } }
            }
            g = Glyph(width: w, height: h, left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
                      advance: Int((slot.pointee.advance.x + 32) >> 6), alpha: alpha)
        }
        glyphIndex[key] = glyphs.count
        glyphs.append(g)
        computedSinceCacheRead += 1
        return g
    }

    /// Number of glyphs rendered and kept.
    public var cachedGlyphCount: Int { glyphs.count }
}

/// Small numbers by (pixel size, code point) in an open-addressing table with a multiplicative
/// hash: text measuring and drawing look a character up thousands of times a frame, and a
/// `Dictionary`'s seeded SipHash was much of that time.
struct SizeScalarTable {
    private var keys = [UInt64](repeating: 0, count: 512)  // 0: an empty slot (sizes are positive)
    private var values = [Int](repeating: 0, count: 512)
    private var count = 0

    static func key(size: Int, scalar: Unicode.Scalar) -> UInt64 { UInt64(truncatingIfNeeded: size) << 32 | UInt64(scalar.value) }

    /// Every (key, value), in slot order.
    var entries: [(key: UInt64, value: Int)] { zip(keys, values).filter { $0.0 != 0 }.map { (key: $0.0, value: $0.1) } }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & (keys.count - 1)
    }

    subscript(key: UInt64) -> Int? {
        get {
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == 0 { return nil }
                i = (i + 1) & (keys.count - 1)
            }
        }
        set {
            guard let newValue else { preconditionFailure("entries are never removed") }
            if (count + 1) * 2 > keys.count { grow() }
            var i = slot(key)
            while keys[i] != 0 && keys[i] != key { i = (i + 1) & (keys.count - 1) }
            if keys[i] == 0 { count += 1 }
            keys[i] = key
            values[i] = newValue
        }
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [Int](repeating: 0, count: oldKeys.count * 2)
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { self[k] = v }
    }
}

/// One rendered character: an 8-bit coverage bitmap and where it sits relative to the pen.
public struct Glyph: Sendable {
    public var width: Int
    public var height: Int
    /// From the pen position to the bitmap's left edge.
    public var left: Int
    /// From the baseline up to the bitmap's top edge.
    public var top: Int
    /// How far the pen moves.
    public var advance: Int
    public var alpha: [UInt8]

    /// Where the bitmap lands with the pen at `pen` on `baseline`; nil for a blank glyph (a space).
    func bitmapRect(pen: Int, baseline: Int) -> PixelRect? {
        width > 0 && height > 0 ? PixelRect(x: pen + left, y: baseline - top, width: width, height: height) : nil
    }
}
