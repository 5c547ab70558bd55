// KioskRuntime
