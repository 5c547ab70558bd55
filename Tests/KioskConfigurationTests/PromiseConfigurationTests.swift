import Foundation
import Testing
@testable import KioskCore

@Suite("keep-promises = and promise-margin = in [kiosk]")
struct PromiseConfigurationTests {
    @Test func theKeysSetTheRuleAndItsMargin() throws {
        let on = try #require(parsed("[kiosk]\nkeep-promises = yes\npromise-margin = 5\n"))
        #expect(on.keepPromises && on.promiseMarginMinutes == 5 && on.promiseMargin == 300)
        let off = try #require(parsed("[kiosk]\nkeep-promises = no\n"))
        #expect(!off.keepPromises && off.promiseMargin == nil)
        #expect(parsed("[kiosk]\nkeep-promises = TRUE\n")?.keepPromises == true)
    }

    @Test func badValuesAreRefusedWithTheirLine() {
        #expect(diagnostics("[kiosk]\nsite = x\nkeep-promises = sometimes\npromise-margin = 31\n") == [
            "kiosk.conf:3: keep-promises = sometimes in [kiosk] is not allowed; use one of: yes, no, true, false",
            "kiosk.conf:4: promise-margin = 31 in [kiosk] is out of range; use a number of minutes from 0 to 30",
        ])
        #expect(diagnostics("[kiosk]\npromise-margin = two\n") == [
            "kiosk.conf:2: promise-margin in [kiosk] must be a whole number, not 'two'; use a number of minutes from 0 to 30",
        ])
        #expect(diagnostics("[kiosk]\nkeep-promise = yes\n") == [
            "kiosk.conf:2: unknown key 'keep-promise' in [kiosk] (did you mean 'keep-promises'?)",
        ])
    }
}
