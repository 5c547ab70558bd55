import KioskSystem

/// A keypad that cannot be used: which kind of trouble (`code`), what went wrong and what to do
/// (`message`, the text the log shows), and the failed system call behind it (`cause`), in the
/// manner of `StorageError`.
public struct KeypadError: Error, CustomStringConvertible, Equatable {
    /// The kinds of keypad trouble. A struct over a private enum (like swift-nio's
    /// `FileSystemError.Code`), so kinds can be added without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case cannotOpen, notAnInputDevice, cannotGrab, noFreeDevice, cannotReadRecording, cannotTime, other
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The device could not be opened (not plugged in, permission…).
        public static let cannotOpen = Code(.cannotOpen)
        /// The path is not an evdev input device.
        public static let notAnInputDevice = Code(.notAnInputDevice)
        /// Another program (or station) holds the device.
        public static let cannotGrab = Code(.cannotGrab)
        /// `keypad = auto`: no free device has the keys.
        public static let noFreeDevice = Code(.noFreeDevice)
        /// `keypad = evemu:PATH`: the recording cannot be read.
        public static let cannotReadRecording = Code(.cannotReadRecording)
        /// The replay timer of a recording could not be made.
        public static let cannotTime = Code(.cannotTime)
        /// Anything else, with only a message.
        public static let other = Code(.other)

        public var description: String { wrapped.rawValue }
    }

    public var code: Code
    /// What went wrong and what to do: "cannot open keypad /dev/input/event3: Permission denied;
    /// run kioskd as a member of the input group".
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
