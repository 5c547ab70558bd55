/// SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and PBKDF2-HMAC-SHA256 (RFC 8018) in plain Swift.
/// Only used for staff PINs, so the API is small: whole messages in, digests out.
public enum SHA256 {
    public static let digestSize = 32
    public static let blockSize = 64

    static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The SHA-256 digest of `message`.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var state = initialState
        absorb(&state, message, prefixBlocks: 0)
        return bytes(of: state)
    }

    /// The SHA-256 digest of a string's UTF-8 bytes.
    public static func hash(_ message: String) -> [UInt8] { hash(Array(message.utf8)) }

    /// Hashes `message` (padded) into `state`, as if `prefixBlocks` blocks had already been hashed.
    static func absorb(_ state: inout [UInt32], _ message: [UInt8], prefixBlocks: Int) {
        let bitLength = UInt64(prefixBlocks * blockSize + message.count) &* 8
        var padded = message
        padded.append(0x80)
        while padded.count % blockSize != 56 { padded.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var block = [UInt32](repeating: 0, count: 16)
        var schedule = [UInt32](repeating: 0, count: 64)
        state.withUnsafeMutableBufferPointer { s in
            block.withUnsafeMutableBufferPointer { b in
                schedule.withUnsafeMutableBufferPointer { w in
                    padded.withUnsafeBufferPointer { p in
                        var offset = 0
                        while offset < p.count {
                            for i in 0..<16 {
                                let j = offset + i * 4
                                b[i] = UInt32(p[j]) << 24 | UInt32(p[j + 1]) << 16 | UInt32(p[j + 2]) << 8 | UInt32(p[j + 3])
                            }
                            withConstants { k in compress(s.baseAddress!, b.baseAddress!, w.baseAddress!, k) }
                            offset += blockSize
                        }
                    }
                }
            }
        }
    }

    /// One compression of a 16-word big-endian block into an 8-word state; `w` is 64 words of
    /// scratch and `k` the 64 round constants. PBKDF2 runs it 20,000 times per PIN check, so it
    /// sticks to `while` loops, wrapping arithmetic and masking shifts, which stay fast even in
    /// debug builds.
    static func compress(_ state: UnsafeMutablePointer<UInt32>, _ block: UnsafePointer<UInt32>,
                         _ w: UnsafeMutablePointer<UInt32>, _ k: UnsafePointer<UInt32>) {
        var i = 0
        while i < 16 { w[i] = block[i]; i &+= 1 }
        while i < 64 {
            let x = w[i &- 15], y = w[i &- 2]
            let s0 = (x &>> 7 | x &<< 25) ^ (x &>> 18 | x &<< 14) ^ (x &>> 3)
            let s1 = (y &>> 17 | y &<< 15) ^ (y &>> 19 | y &<< 13) ^ (y &>> 10)
            w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
            i &+= 1
        }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        i = 0
        while i < 64 {
            let s1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
            let s0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ s0 &+ maj
            i &+= 1
        }
        state[0] = state[0] &+ a; state[1] = state[1] &+ b; state[2] = state[2] &+ c; state[3] = state[3] &+ d
        state[4] = state[4] &+ e; state[5] = state[5] &+ f; state[6] = state[6] &+ g; state[7] = state[7] &+ h
    }

    /// `body` with a pointer to the round constants.
    static func withConstants<R>(_ body: (UnsafePointer<UInt32>) -> R) -> R {
        roundConstants.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    static func bytes(of state: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(state.count * 4)
        for word in state {
            out.append(UInt8(truncatingIfNeeded: word >> 24)); out.append(UInt8(truncatingIfNeeded: word >> 16))
            out.append(UInt8(truncatingIfNeeded: word >> 8)); out.append(UInt8(truncatingIfNeeded: word))
        }
        return out
    }

    /// The state after hashing exactly one 64-byte block (no padding): HMAC's keyed prefix.
    static func state(afterBlock bytes: [UInt8]) -> [UInt32] {
        precondition(bytes.count == blockSize)
        var state = initialState
        var block = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            block[i] = UInt32(bytes[i * 4]) << 24 | UInt32(bytes[i * 4 + 1]) << 16 | UInt32(bytes[i * 4 + 2]) << 8 | UInt32(bytes[i * 4 + 3])
        }
        var schedule = [UInt32](repeating: 0, count: 64)
        state.withUnsafeMutableBufferPointer { s in
            block.withUnsafeBufferPointer { b in
                schedule.withUnsafeMutableBufferPointer { w in
                    withConstants { k in compress(s.baseAddress!, b.baseAddress!, w.baseAddress!, k) }
                }
            }
        }
        return state
    }
}

/// HMAC-SHA256 (RFC 2104).
public enum HMACSHA256 {
    /// The keyed states after the inner (ipad) and outer (opad) key blocks.
    static func keyedStates(key: [UInt8]) -> (inner: [UInt32], outer: [UInt32]) {
        var k = key.count > SHA256.blockSize ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: SHA256.blockSize - k.count)
        return (SHA256.state(afterBlock: k.map { $0 ^ 0x36 }), SHA256.state(afterBlock: k.map { $0 ^ 0x5c }))
    }

    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        let (inner, outer) = keyedStates(key: key)
        return authenticate(message, inner: inner, outer: outer)
    }

    static func authenticate(_ message: [UInt8], inner: [UInt32], outer: [UInt32]) -> [UInt8] {
        var i = inner
        SHA256.absorb(&i, message, prefixBlocks: 1)
        var o = outer
        SHA256.absorb(&o, SHA256.bytes(of: i), prefixBlocks: 1)
        return SHA256.bytes(of: o)
    }
}

/// PBKDF2 with HMAC-SHA256 as the pseudo-random function (RFC 8018 §5.2).
public enum PBKDF2SHA256 {
    public static func derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        precondition(iterations >= 1 && length >= 1)
        let (inner, outer) = HMACSHA256.keyedStates(key: password)
        var output: [UInt8] = []
        output.reserveCapacity(length)
        var blockIndex: UInt32 = 1
        // Scratch reused by every iteration: the two padded one-block messages, the schedule and states.
        // U (32 bytes) is always followed by the same padding, since each HMAC message is 64 + 32 bytes.
        var message = [UInt32](repeating: 0, count: 16)
        message[8] = 0x8000_0000
        message[15] = UInt32((SHA256.blockSize + SHA256.digestSize) * 8)
        var schedule = [UInt32](repeating: 0, count: 64)
        var work = [UInt32](repeating: 0, count: 8)
        var total = [UInt32](repeating: 0, count: 8)
        while output.count < length {
            var first = salt
            first += [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                      UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)]
            let u1 = HMACSHA256.authenticate(first, inner: inner, outer: outer)
            for i in 0..<8 {
                total[i] = UInt32(u1[i * 4]) << 24 | UInt32(u1[i * 4 + 1]) << 16 | UInt32(u1[i * 4 + 2]) << 8 | UInt32(u1[i * 4 + 3])
                message[i] = total[i]
            }
            if iterations > 1 {
                iterate(iterations - 1, inner: inner, outer: outer, message: &message, schedule: &schedule, work: &work, total: &total)
            }
            output += SHA256.bytes(of: total).prefix(length - output.count)
            blockIndex &+= 1
        }
        return output
    }

    /// Iterations 2…c of one PBKDF2 block: `message[0..<8]` holds U₁ on entry; `total` accumulates
    /// U₁ ⊕ U₂ ⊕ …. Two compressions per iteration thanks to the precomputed keyed states.
    static func iterate(_ count: Int, inner: [UInt32], outer: [UInt32], message: inout [UInt32],
                        schedule: inout [UInt32], work: inout [UInt32], total: inout [UInt32]) {
        inner.withUnsafeBufferPointer { ip in
            outer.withUnsafeBufferPointer { op in
                message.withUnsafeMutableBufferPointer { m in
                    schedule.withUnsafeMutableBufferPointer { w in
                        work.withUnsafeMutableBufferPointer { s in
                            total.withUnsafeMutableBufferPointer { t in
                                SHA256.withConstants { k in
                                    iterate(count, ip.baseAddress!, op.baseAddress!, m.baseAddress!, w.baseAddress!,
                                            s.baseAddress!, t.baseAddress!, k)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The hot loop, written for debug builds too: `while` loops, wrapping arithmetic and masking
    /// shifts only (ranges and smart shifts are function calls without optimisation).
    static func iterate(_ count: Int, _ ip: UnsafePointer<UInt32>, _ op: UnsafePointer<UInt32>,
                        _ m: UnsafeMutablePointer<UInt32>, _ w: UnsafeMutablePointer<UInt32>,
                        _ s: UnsafeMutablePointer<UInt32>, _ t: UnsafeMutablePointer<UInt32>, _ k: UnsafePointer<UInt32>) {
        var n = 0
        while n < count {
            // Inner hash: keyed inner state + (U ‖ padding).
            s.update(from: ip, count: 8)
            SHA256.compress(s, m, w, k)
            m.update(from: s, count: 8)
            // Outer hash: keyed outer state + (inner digest ‖ padding).
            s.update(from: op, count: 8)
            SHA256.compress(s, m, w, k)
            var i = 0
            while i < 8 { m[i] = s[i]; t[i] ^= s[i]; i &+= 1 }
            n &+= 1
        }
    }
}
