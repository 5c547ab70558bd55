import Testing
@Test func KioskStorageTestsPlaceholder() {}
