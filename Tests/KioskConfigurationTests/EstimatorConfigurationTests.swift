import Foundation
import Testing
@testable import KioskCore

@Suite("estimator = in [kiosk]")
struct EstimatorConfigurationTests {
    func messages(_ text: String) -> [String] {
        switch ConfigurationParser.parse(text, file: "kiosk.conf") {
        case .success: return []
        case .failure(let e): return e.errors.map(\.description)
        }
    }

    @Test func rollingIsChosenByNameAndIsTheDefault() throws {
        #expect(Configuration().estimator == "rolling")
        let config = try ConfigurationParser.parse("[kiosk]\nestimator = rolling\n", file: "kiosk.conf").get()
        #expect(config.estimator == "rolling")
        #expect(WaitEstimators.make(config) is RollingWaitEstimator)
    }

    @Test func anUnknownEstimatorIsRefusedWithItsLineAndASuggestion() {
        #expect(messages("[kiosk]\nsite = x\nestimator = rollin\n") == [
            "kiosk.conf:3: estimator = rollin in [kiosk] is not allowed; use one of: rolling (did you mean 'rolling'?)",
        ])
        #expect(messages("[kiosk]\nestimater = rolling\n") == [
            "kiosk.conf:2: unknown key 'estimater' in [kiosk] (did you mean 'estimator'?)",
        ])
    }
}
