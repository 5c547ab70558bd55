// KioskConsole
