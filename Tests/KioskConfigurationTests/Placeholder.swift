import Testing
@Test func KioskConfigurationTestsPlaceholder() {}
