/// A control-socket request line (and an answer, as kioskctl reads it).
@Sendable func fuzzControl(_ bytes: [UInt8]) {
    switch ControlRequest.parse(bytes) {
    case .success(let request):
        // What kioskctl sends for a request is read back as that request.
        let again = ControlRequest.parse(Array(request.line.utf8))
        require(again == .success(request), "'\(request.line)' reads back as \(again), not \(request)")
    case .failure(let error):
        require(error.description.utf8.count <= longestDiagnostic, "an error of \(error.description.utf8.count) bytes")
    }
    if let response = ControlResponse.parse(bytes) {
        // The daemon's bytes for an answer read back as an answer of the same status.
        require(ControlResponse.parse(response.bytes)?.ok == response.ok, "an answer's bytes read back differently")
    }
}
