import Testing
@Test func KioskCoreTestsPlaceholder() {}
