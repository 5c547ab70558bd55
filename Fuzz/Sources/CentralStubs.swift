/// `BodyCheck.swift` is compiled from Central/Sources (kiosk-central's own file) without the
/// rest of the centre and its packages: this is the one name it uses from there, for the 400
/// it builds (which the fuzz target never asks for).
struct APIError: Error {
    static func badRequest(_ code: String, _ message: String, hint: String) -> APIError { APIError() }
}
