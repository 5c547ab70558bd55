import Testing
@Test func KioskConsoleTestsPlaceholder() {}
