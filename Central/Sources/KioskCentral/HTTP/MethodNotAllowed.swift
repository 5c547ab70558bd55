import Hummingbird
import KioskProtocol

/// A request for a declared path with a method the API does not declare there (`TRACE
/// /v1/events`, `DELETE /v1/health`) is answered 405 with the `Allow` header and the usual JSON
/// error, not the router's empty 404: a client learns what it may do. Paths come from
/// `CentralRoutes.routeTable` (the table the OpenAPI test checks), so a new route needs no change here.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each declared path as segments (`{…}` matches any one segment), with its methods.
    let paths: [(segments: [Substring], methods: [String])]

    init(routes: [(method: String, path: String)]) {
        var paths: [(segments: [Substring], methods: [String])] = []
        for route in routes {
            let segments = route.path.split(separator: "/")
            if let i = paths.firstIndex(where: { $0.segments == segments }) {
                paths[i].methods.append(route.method)
            } else {
                paths.append((segments, [route.method]))
            }
        }
        self.paths = paths
    }

    /// The methods declared for `path`, or nil when it is not a declared path.
    func methods(for path: String) -> [String]? {
        let asked = path.split(separator: "/")
        let found = paths.filter { declared in
            declared.segments.count == asked.count
                && zip(declared.segments, asked).allSatisfy { $0.first == "{" || $0 == $1 }
        }
        return found.isEmpty ? nil : found.flatMap(\.methods)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let allowed = methods(for: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            let allow = (allowed.contains("GET") ? allowed + ["HEAD"] : allowed).joined(separator: ", ")
            var response = jsonResponse(
                ErrorReply(
                    error: "method-not-allowed", message: "\(request.method.rawValue) is not allowed on \(request.uri.path)",
                    hint: "use \(allow) (docs/openapi.yaml)"),
                status: .methodNotAllowed)
            response.headers[.allow] = allow
            return response
        }
    }
}
