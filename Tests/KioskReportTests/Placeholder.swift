import Testing
@Test func KioskReportTestsPlaceholder() {}
