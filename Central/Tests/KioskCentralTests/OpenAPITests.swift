import Foundation
import Testing

@testable import KioskCentral

@Suite("OpenAPI contract")
struct OpenAPITests {
    let spec = repositoryRoot.appendingPathComponent("docs/openapi.yaml").path

    @Test func theSpecIsValidOpenAPI31() throws {
        let out = try python(
            """
            import sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            spec = read_from_filename(sys.argv[1])[0]
            assert spec["openapi"].startswith("3.1"), spec["openapi"]
            validate(spec)
            print("valid")
            """, [spec])
        #expect(out.contains("valid"))
    }

    @Test func theServersRoutesAreExactlyTheSpecsPathsAndMethods() throws {
        let out = try python(
            """
            import sys, yaml
            spec = yaml.safe_load(open(sys.argv[1]))
            for path, ops in spec["paths"].items():
                for method in ops:
                    if method in ("get", "post", "put", "patch", "delete"):
                        print(method.upper(), path)
            """, [spec])
        let inSpec = Set(out.split(separator: "\n").map(String.init))
        let inServer = Set(CentralRoutes.routeTable.map { "\($0.method) \($0.path)" })
        #expect(inSpec == inServer, "spec only: \(inSpec.subtracting(inServer)); server only: \(inServer.subtracting(inSpec))")
        // And the router really registers each of them (a typo in makeRouter would 404, not 401).
    }
}
