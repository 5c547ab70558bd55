import KioskCore

/// What one input event means for the kiosk.
public enum KeypadAction: Equatable, Sendable {
    /// A kiosk key was pressed.
    case key(Key)
    /// The kernel dropped events (`SYN_DROPPED`): the device's key state must be read again
    /// (libevdev does it; a raw event stream assumes every key was released).
    case dropped
}

/// Turns Linux input events into kiosk keys. Pure: feed it events, it returns actions.
/// - Presses (value 1) of mapped keys become keys; releases (0) and auto-repeat (2) do not, so a
///   held key never types twice into a PIN or a menu.
/// - After `SYN_DROPPED` the unfinished frame and every event up to and including the next
///   `SYN_REPORT` are discarded (the kernel's rule), then `resync(down:)` reconciles the key state.
/// - `KEY_NUMLOCK` is ignored: some keypads inject it around every key.
public struct KeypadDecoder: Sendable {
    /// Key code → kiosk key.
    public let codes: [UInt16: Key]
    /// Keys currently held down, by code.
    public private(set) var down: Set<UInt16> = []
    private var discarding = false
    /// Key events of the frame not yet closed by `SYN_REPORT`.
    private var frame: [InputEvent] = []

    public init(keyMap: KeyMap) {
        var codes: [UInt16: Key] = [:]
        for (name, key) in keyMap.bindings {
            if let code = KeyMap.evdevCodes[name] { codes[code] = key }
        }
        self.codes = codes
    }

    /// A decoder for explicit key codes (a reopened device keeps its station's map).
    public init(codes: [UInt16: Key]) { self.codes = codes }

    /// Takes one event; returns what the frame it completes means. Key events take effect at the
    /// `SYN_REPORT` that closes their frame, so a frame cut short by `SYN_DROPPED` is discarded
    /// whole.
    public mutating func feed(_ event: InputEvent) -> [KeypadAction] {
        if event.type == InputEvent.synchronization {
            if event.code == InputEvent.synDropped {
                discarding = true
                frame.removeAll()
                return [.dropped]
            }
            guard event.code == InputEvent.synReport else { return [] }
            if discarding { discarding = false; frame.removeAll(); return [] }
            let closed = frame
            frame.removeAll()
            var actions: [KeypadAction] = []
            for e in closed { if let a = apply(e) { actions.append(a) } }
            return actions
        }
        if !discarding && event.type == InputEvent.key { frame.append(event) }
        return []
    }

    private mutating func apply(_ event: InputEvent) -> KeypadAction? {
        switch event.value {
        case 1:
            guard !down.contains(event.code) else { return nil }  // a press we already saw
            down.insert(event.code)
            return codes[event.code].map { .key($0) }
        case 0:
            down.remove(event.code)
            return nil
        default:
            return nil  // auto-repeat
        }
    }

    /// Reconciles with the device's real key state after dropped events: keys found down that
    /// were up are presses that happened during the gap (reported once); keys found up are
    /// released. Returns the keys to act on.
    public mutating func resync(down now: Set<UInt16>) -> [Key] {
        let pressed = now.subtracting(down).sorted()
        down = now
        return pressed.compactMap { codes[$0] }
    }

    /// True while events are being discarded after `SYN_DROPPED`.
    public var isDiscarding: Bool { discarding }
}
