import Foundation
import Testing
@testable import KioskCore
import KioskSecrets

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
private func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        out.append(UInt8(hex[i..<j], radix: 16)!)
        i = j
    }
    return out
}

@Suite struct SHA256Tests {
    @Test func emptyMessage() {
        #expect(hex(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abc() {
        #expect(hex(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockMessage() {
        #expect(hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func oneMillionA() {
        #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func paddingBoundaries() {
        // 55, 56 and 64 bytes straddle the length field; compare with known digests.
        #expect(hex(SHA256.hash(String(repeating: "a", count: 55)))
            == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hex(SHA256.hash(String(repeating: "a", count: 56)))
            == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(hex(SHA256.hash(String(repeating: "a", count: 64)))
            == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}

@Suite struct HMACTests {
    @Test func rfc4231Case1() {
        let mac = HMACSHA256.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
        #expect(hex(mac) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func rfc4231Case2() {
        let mac = HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func rfc4231Case6LongKey() {
        let mac = HMACSHA256.authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                                          key: [UInt8](repeating: 0xaa, count: 131))
        #expect(hex(mac) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}

@Suite struct PBKDF2Tests {
    func derive(_ c: Int, length: Int = 32) -> String {
        hex(PBKDF2SHA256.derive(password: Array("password".utf8), salt: Array("salt".utf8), iterations: c, length: length))
    }

    @Test func oneIteration() { #expect(derive(1) == "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b") }
    @Test func twoIterations() { #expect(derive(2) == "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43") }
    @Test func manyIterations() { #expect(derive(4096) == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a") }

    @Test func longerOutputSpansBlocks() {
        let out = PBKDF2SHA256.derive(password: Array("passwordPASSWORDpassword".utf8),
                                      salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8), iterations: 4096, length: 40)
        #expect(hex(out) == "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9")
    }
}

@Suite struct PINHashTests {
    @Test func formatAndRoundTrip() {
        let encoded = PINHash.hash(pin: "2468", salt: bytes("a1b2c3"), iterations: 100)
        let parts = encoded.split(separator: "$").map(String.init)
        #expect(parts.count == 4)
        #expect(parts[0] == "pbkdf2-sha256")
        #expect(parts[1] == "100")
        #expect(parts[2] == "a1b2c3")
        #expect(parts[3].count == 64)
        #expect(PINHash.verify(pin: "2468", against: encoded))
        #expect(!PINHash.verify(pin: "2469", against: encoded))
        #expect(!PINHash.verify(pin: "", against: encoded))
    }

    @Test func hashIsPBKDF2OfThePIN() {
        let encoded = PINHash.hash(pin: "password", salt: Array("salt".utf8), iterations: 2)
        #expect(encoded == "pbkdf2-sha256$2$73616c74$ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
    }

    @Test func makeUsesFreshSaltsAndDefaultIterations() {
        let a = PINHash.make(pin: "1234"), b = PINHash.make(pin: "1234")
        #expect(a != b)
        #expect(a.hasPrefix("pbkdf2-sha256$10000$"))
        #expect(a.split(separator: "$")[2].count == 32)
        #expect(PINHash.verify(pin: "1234", against: a))
        #expect(PINHash.verify(pin: "1234", against: b))
        #expect(!PINHash.verify(pin: "4321", against: a))
        #expect(PINHash.isWellFormed(a))
    }

    @Test func demoHashIsPIN1234() {
        #expect(PINHash.isWellFormed(PINHash.demoHash1234))
        #expect(PINHash.verify(pin: "1234", against: PINHash.demoHash1234))
        #expect(!PINHash.verify(pin: "1235", against: PINHash.demoHash1234))
        #expect(PINHash.demoHash1234 == PINHash.hash(pin: "1234", salt: Array(0..<16)))
    }

    @Test func unicodePINsAreUTF8() {
        let encoded = PINHash.hash(pin: "密码", salt: [1, 2, 3], iterations: 10)
        #expect(PINHash.verify(pin: "密码", against: encoded))
        #expect(!PINHash.verify(pin: "密", against: encoded))
    }

    @Test(arguments: [
        "",
        "1234",
        "pbkdf2-sha256$10000$00",
        "pbkdf2-sha256$10000$0001$91ea",
        "pbkdf2-sha1$10000$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$0$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$-5$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$ten$000102030405060708090a0b0c0d0e0f$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$10000$$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$10000$0g$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$10000$000$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
        "pbkdf2-sha256$10000$00$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489",
        "pbkdf2-sha256$10000$00$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec$",
        "pbkdf2-sha256$99999999999$00$91ea059bae0333a2969fc8ccd7c77851dda43f5adb96baeea246a624cdf489ec",
    ])
    func malformedHashesAreRejected(_ encoded: String) {
        #expect(!PINHash.isWellFormed(encoded))
        #expect(!PINHash.verify(pin: "1234", against: encoded))
    }

    @Test func defaultIterationsAreFast() {
        let start = Date()
        _ = PINHash.hash(pin: "1234", salt: Array(0..<16))
        // Generous bound for loaded CI machines; typically ~20 ms even in debug builds.
        #expect(Date().timeIntervalSince(start) < 1.0)
    }
}
