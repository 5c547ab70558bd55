import Foundation
import Testing
@testable import KioskCore
@testable import KioskSecrets

/// New PIN hashes are yescrypt from libxcrypt; the old `pbkdf2-sha256` lines sites already have
/// keep logging in, and the configuration names them so they get renewed.
@Suite struct SecretHashTests {
    @Test func aNewHashIsYescryptAndVerifiesOnlyItsSecret() throws {
        let encoded = try SecretHash.make(secret: "2580")
        #expect(encoded.hasPrefix("$y$j9T$"))  // libxcrypt's default cost
        #expect(SecretHash.form(of: encoded) == .yescrypt)
        #expect(SecretHash.verify(secret: "2580", against: encoded))
        #expect(!SecretHash.verify(secret: "2581", against: encoded))
        #expect(!SecretHash.verify(secret: "", against: encoded))
        #expect(!SecretHash.verify(secret: "25800", against: encoded))
        #expect(PINHash.verify(pin: "2580", against: encoded))
        #expect(PINHash.isWellFormed(encoded))
    }

    @Test func twoHashesOfOneSecretHaveDifferentSalts() throws {
        let a = try SecretHash.make(secret: "1234"), b = try SecretHash.make(secret: "1234")
        #expect(a != b)
        #expect(a.split(separator: "$")[2] != b.split(separator: "$")[2])
        #expect(SecretHash.verify(secret: "1234", against: a))
        #expect(SecretHash.verify(secret: "1234", against: b))
    }

    @Test func kioskctlMakesTheCurrentForm() throws {
        let encoded = try PINHash.makeCurrent(pin: "86420")
        #expect(SecretHash.form(of: encoded)?.isCurrent == true)
        #expect(PINHash.verify(pin: "86420", against: encoded))
    }

    @Test func aHashFromTheCLibraryVerifies() {
        // Made once with crypt_gensalt_rn("$y$", 1, …) and crypt_r("1234", …) in C.
        #expect(SecretHash.form(of: PINHash.demoYescrypt1234) == .yescrypt)
        #expect(PINHash.verify(pin: "1234", against: PINHash.demoYescrypt1234))
        #expect(!PINHash.verify(pin: "1235", against: PINHash.demoYescrypt1234))
        for member in Configuration().staff { #expect(SecretHash.form(of: member.pinHash) == .yescrypt) }
    }

    @Test func anOldPBKDF2LineStillVerifiesButIsNotCurrent() {
        let old = PINHash.demoHash1234
        #expect(SecretHash.form(of: old) == .pbkdf2SHA256)
        #expect(SecretHash.form(of: old)?.isCurrent == false)
        #expect(SecretHash.verify(secret: "1234", against: old))
        #expect(!SecretHash.verify(secret: "4321", against: old))
    }

    @Test(arguments: [
        "$y$",
        "$y$j9T$",
        "$y$j9T$iz45p//qGrNh7iiY8G1PW.",
        "$y$j9T$iz45p//qGrNh7iiY8G1PW.$short",
        "$y$j75$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.x",  // 44-character hash
        "$y$j75$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.$",  // extra field
        "$y$j75$iz4!p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.",  // not crypt base-64
        "$y$j75$$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.",  // no salt
        "$y$jFT$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.",  // cost 11: 2 GiB per login
        "$y$zz$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.",
        "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",  // sha512crypt
        "$1$salt$1234567890123456789012",  // md5crypt
        " $y$j75$iz45p//qGrNh7iiY8G1PW.$.03YmykPIhvDElqupqYkVveQGv4XR0lcTkla73tguF.",
    ])
    func malformedOrUnacceptedHashesAreRejected(_ encoded: String) {
        #expect(SecretHash.form(of: encoded) == nil)
        #expect(!SecretHash.verify(secret: "1234", against: encoded))
        #expect(!PINHash.isWellFormed(encoded))
    }

    @Test func acceptedCostsAreTheOnesLibxcryptEncodes() {
        #expect(Yescrypt.acceptedParameters.count == SecretHash.acceptedYescryptCosts.count)
        #expect(Yescrypt.acceptedParameters.contains("j9T"))  // the default, as in Debian's /etc/shadow
        #expect(Yescrypt.acceptedParameters.contains("j75"))
    }

    @Test func aSecretWithANulCannotBeHashed() {
        #expect(throws: SecretHashError.self) { try SecretHash.make(secret: "12\u{0}34") }
        do {
            _ = try SecretHash.make(secret: "12\u{0}34")
        } catch {
            #expect(error.code == .unusableSecret)
            #expect(error.description.contains("NUL"))
        }
        #expect(!SecretHash.verify(secret: "12\u{0}34", against: PINHash.demoYescrypt1234))
    }

    @Test func unicodeSecretsAreUTF8() throws {
        let encoded = try SecretHash.make(secret: "密码")
        #expect(SecretHash.verify(secret: "密码", against: encoded))
        #expect(!SecretHash.verify(secret: "密", against: encoded))
    }

    @Test func aLoginAtTheDefaultCostIsQuick() throws {
        let encoded = try SecretHash.make(secret: "1234")
        let start = Date()
        #expect(SecretHash.verify(secret: "1234", against: encoded))
        // Tens of milliseconds; generous for loaded CI machines.
        #expect(Date().timeIntervalSince(start) < 1.0)
    }
}

@Suite struct PINHashConfigurationTests {
    func staff(_ hash: String) -> String {
        "[staff 1001]\nname = 张敏\npin-hash = \(hash)\n[staff 1002]\nname = 李华\npin-hash = \(PINHash.demoYescrypt1234)\n"
    }

    @Test func aCurrentHashParsesWithoutWarnings() throws {
        let checked = ConfigurationParser.check(staff(try SecretHash.make(secret: "2580")), file: "kiosk.conf")
        #expect(checked.warnings.isEmpty)
        let config = try checked.result.get()
        #expect(PINHash.verify(pin: "2580", against: config.staffMember("1001")!.pinHash))
    }

    @Test func anOldHashParsesAndIsNamedForRenewal() throws {
        let checked = ConfigurationParser.check(staff(PINHash.hash(pin: "2580", salt: [7, 7, 7])), file: "kiosk.conf")
        let config = try checked.result.get()
        #expect(PINHash.verify(pin: "2580", against: config.staffMember("1001")!.pinHash))
        #expect(checked.warnings.map(\.description) == [
            "kiosk.conf:3: warning: pin-hash of [staff 1001] is in the old pbkdf2-sha256 form: it still logs in, but a copy of this file is easier to guess PINs from; renew it: run `kioskctl hash-pin` with this member's PIN (e.g. `kioskctl hash-pin 1234`) and put the pin-hash line it prints ($y$…, yescrypt) in place of this one",
        ])
        #expect(checked.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func warningsComeInFileOrderAndParseStillGivesTheConfiguration() {
        let text = "[staff 1001]\nname = a\npin-hash = \(PINHash.demoHash1234)\n[staff 1002]\nname = b\npin-hash = \(PINHash.demoHash1234)\n"
        #expect(ConfigurationParser.check(text, file: "kiosk.conf").warnings.map(\.line) == [3, 6])
        #expect(diagnostics(text) == [])
    }

    @Test func aMalformedYescryptLineIsAnErrorNamingTheLine() {
        #expect(diagnostics(staff("$y$j9T$iz45p//qGrNh7iiY8G1PW.$short")) == [
            "kiosk.conf:3: pin-hash of [staff 1001] is not a valid yescrypt hash ($y$PARAMETERS$SALT$HASH with a cost from 1 to 8); run `kioskctl hash-pin` and use the pin-hash line it prints",
        ])
        #expect(diagnostics(staff("$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2")).count == 1)
        #expect(diagnostics(staff("pbkdf2-sha256$10000$00$91ea")) == [
            "kiosk.conf:3: pin-hash of [staff 1001] is not a valid hash (pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX); run `kioskctl hash-pin` and use the pin-hash line it prints",
        ])
    }

    @Test func theShippedFileHasNoOldHashes() throws {
        #expect(ConfigurationParser.check(try shipped("kiosk.conf"), file: "kiosk.conf").warnings == [])
    }
}
