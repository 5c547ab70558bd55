import Foundation
import Hummingbird
import KioskProtocol

/// A 4xx/5xx answer with an `ErrorReply` JSON body: a stable code, what went wrong, what to do.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let reply: ErrorReply

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, hint: String) {
        self.status = status
        reply = ErrorReply(error: code, message: message, hint: hint)
    }

    public var description: String { "\(status.code) \(reply.error): \(reply.message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse(reply, status: status)
    }

    static func badRequest(_ code: String, _ message: String, hint: String) -> APIError {
        APIError(.badRequest, code, message, hint: hint)
    }
}

let wireEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return e
}()

func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? wireEncoder.encode(value)) ?? Data("{}".utf8)
    return Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

/// Every error that is not an answer of its own (`APIError`, Hummingbird's 404s) is logged with
/// its cause and answered as a JSON 500 `internal`, never as an empty body.
struct InternalErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            throw error
        } catch {
            context.logger.error(
                "request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return jsonResponse(
                ErrorReply(
                    error: "internal", message: "the centre could not answer this request",
                    hint: "try again later; IT finds the cause in kiosk-central's log"),
                status: .internalServerError)
        }
    }
}
