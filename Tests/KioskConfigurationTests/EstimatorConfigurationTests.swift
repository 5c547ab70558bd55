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

    @Test func forecastIsTheDefaultAndEachEstimatorIsChosenByName() throws {
        #expect(Configuration().estimator == "forecast")
        #expect(WaitEstimators.make(Configuration()) is ForecastWaitEstimator)
        let config = try ConfigurationParser.parse("[kiosk]\nestimator = rolling\n", file: "kiosk.conf").get()
        #expect(config.estimator == "rolling")
        #expect(WaitEstimators.make(config) is RollingWaitEstimator)
        let ql = try ConfigurationParser.parse("[kiosk]\nestimator = ql\n", file: "kiosk.conf").get()
        #expect(WaitEstimators.make(ql) is QueueLengthWaitEstimator)
    }

    @Test func anUnknownEstimatorIsRefusedWithItsLineAndASuggestion() {
        #expect(messages("[kiosk]\nsite = x\nestimator = rollin\n") == [
            "kiosk.conf:3: estimator = rollin in [kiosk] is not allowed; use one of: forecast, rolling, ql (did you mean 'rolling'?)",
        ])
        #expect(messages("[kiosk]\nestimater = rolling\n") == [
            "kiosk.conf:2: unknown key 'estimater' in [kiosk] (did you mean 'estimator'?)",
        ])
    }
}
