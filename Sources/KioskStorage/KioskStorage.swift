// KioskStorage
