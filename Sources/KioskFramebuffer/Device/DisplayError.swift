import KioskSystem

/// A display that cannot be used: which kind of trouble (`code`), what went wrong and what to do
/// (`message`, the text the log shows), and the failed system call behind it (`cause`), in the
/// manner of `StorageError`.
public struct DisplayError: Error, CustomStringConvertible, Equatable {
    /// The kinds of display trouble. A struct over a private enum (like swift-nio's
    /// `FileSystemError.Code`), so kinds can be added without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case cannotOpen, notAFramebuffer, unsupportedFormat, cannotMap, cannotSize
            case cannotOpenConsole, notAConsole, noFramebuffer, other
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The device or file could not be opened (missing, permission…).
        public static let cannotOpen = Code(.cannotOpen)
        /// The device answers no framebuffer ioctls.
        public static let notAFramebuffer = Code(.notAFramebuffer)
        /// The video mode's pixel format is not one the kiosk draws.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The framebuffer memory could not be mapped.
        public static let cannotMap = Code(.cannotMap)
        /// A framebuffer file could not be grown to the picture's size.
        public static let cannotSize = Code(.cannotSize)
        /// The virtual console could not be opened.
        public static let cannotOpenConsole = Code(.cannotOpenConsole)
        /// The console path is not a virtual console.
        public static let notAConsole = Code(.notAConsole)
        /// The station's display is not a framebuffer (`display = terminal`).
        public static let noFramebuffer = Code(.noFramebuffer)
        /// Anything else, with only a message.
        public static let other = Code(.other)

        public var description: String { wrapped.rawValue }
    }

    public var code: Code
    /// What went wrong and what to do: "cannot open framebuffer /dev/fb0: Permission denied; run
    /// kioskd as a member of the video group".
    public var message: String
    /// The system call that failed, when one did.
    public var cause: SystemError?

    public init(_ code: Code, _ message: String, cause: SystemError? = nil) {
        self.code = code; self.message = message; self.cause = cause
    }

    /// A message with no code or cause (`.other`).
    public init(_ message: String) { self.init(.other, message) }

    public var description: String { message }
}
