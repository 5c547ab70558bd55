import Foundation
import KioskProtocol
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

    /// Every example in the spec, as JSON: where it stands ("uploadEvents request",
    /// "uploadEvents 200", "schema Error") and the example itself.
    func examples() throws -> [(place: String, json: Data)] {
        let out = try python(
            """
            import sys, yaml, json
            spec = yaml.safe_load(open(sys.argv[1]))
            def media(where, content):
                for kind, m in (content or {}).items():
                    if "example" in m: print(json.dumps({"place": where, "example": m["example"]}))
                    for e in (m.get("examples") or {}).values(): print(json.dumps({"place": where, "example": e["value"]}))
            for path, ops in spec["paths"].items():
                for method, op in ops.items():
                    if not isinstance(op, dict) or "operationId" not in op: continue
                    media(op["operationId"] + " request", (op.get("requestBody") or {}).get("content"))
                    for status, r in op.get("responses", {}).items():
                        media(op["operationId"] + " " + status, r.get("content"))
            for name, schema in spec["components"]["schemas"].items():
                for e in schema.get("examples", []): print(json.dumps({"place": "schema " + name, "example": e}))
            """, [spec])
        struct Line: Decodable { var place: String; var example: JSONValue }
        return try out.split(separator: "\n").map {
            let line = try JSONDecoder().decode(Line.self, from: Data($0.utf8))
            return (line.place, try WireEncoder().encode(line.example))
        }
    }

    /// The protocol type each example must decode into.
    static let exampleTypes: [String: any (Decodable & Sendable).Type] = [
        "health 200": ServerTimeReply.self,
        "uploadEvents request": UploadRequest.self,
        "uploadEvents 200": UploadReply.self,
        "fetchOwnEvents 200": OwnEventsReply.self,
        "uploadEvents 409": ErrorReply.self,
        "heartbeat request": Heartbeat.self,
        "heartbeat 200": HeartbeatReply.self,
        "pollCommands 200": CommandsReply.self,
        "acknowledgeCommand request": CommandAckRequest.self,
        "acknowledgeCommand 200": CommandStatus.self,
        "fetchConfig 200": ConfigReply.self,
        "fetchCases 200": CasesReply.self,
        "sendContacts request": ContactsUpload.self,
        "sendContacts 200": ContactsReply.self,
        "sendContacts 503": ErrorReply.self,
        "listKiosks 200": KiosksReply.self,
        "registerKiosk request": RegisterKioskRequest.self,
        "registerKiosk 201": RegisterKioskReply.self,
        "queueCommand request": QueueCommandRequest.self,
        "queueCommand 201": QueueCommandReply.self,
        "listCommands 200": CommandsStatusReply.self,
        "publishConfig request": PublishConfigRequest.self,
        "publishConfig 201": PublishConfigReply.self,
        "readEvents 200": EventsReply.self,
        "schema Error": ErrorReply.self,
        "schema CaseState": CaseState.self,
    ]

    @Test func everyExampleDecodesIntoTheProtocolTypes() throws {
        let examples = try examples()
        #expect(Set(examples.map(\.place)) == Set(Self.exampleTypes.keys), "every kiosk endpoint has examples, and each has a type")
        for (place, json) in examples {
            guard let type = Self.exampleTypes[place] else {
                Issue.record("no protocol type for the example at \(place)")
                continue
            }
            #expect(throws: Never.self, "\(place): \(String(decoding: json, as: UTF8.self))") { _ = try JSONDecoder().decode(type, from: json) }
        }
        // The commands of the examples are commands a kiosk carries out, not just strings.
        for (place, json) in examples where place == "pollCommands 200" {
            for command in try JSONDecoder().decode(CommandsReply.self, from: json).commands {
                #expect(throws: Never.self, "\(command)") { try command.parsed.get() }
            }
        }
        for (place, json) in examples where place == "queueCommand request" {
            let r = try JSONDecoder().decode(QueueCommandRequest.self, from: json)
            #expect(throws: Never.self) { try KioskCommand(type: r.type, argument: r.argument) }
        }
    }

    @Test func theSpecsCommandsAndWeathersAreTheProtocols() throws {
        let out = try python(
            """
            import sys, yaml
            spec = yaml.safe_load(open(sys.argv[1]))
            s = spec["components"]["schemas"]
            print(" ".join(s["Command"]["properties"]["type"]["enum"]))
            queue = spec["paths"]["/v1/admin/commands"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            print(" ".join(queue["properties"]["type"]["enum"]))
            print(" ".join(s["Weather"]["enum"]))
            """, [spec])
        let lines = out.split(separator: "\n").map(String.init)
        let kinds = KioskCommand.Kind.allCases.map(\.rawValue).joined(separator: " ")
        #expect(lines == [kinds, kinds, Weather.allCases.map(\.rawValue).joined(separator: " ")])
    }
}
