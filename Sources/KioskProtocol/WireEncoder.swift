#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Encodes protocol bodies as compact JSON with each object's keys in the order the type
/// encodes them (declaration order), so the same value is always the same bytes: in logs, in
/// a test's recording, on the wire. (Foundation's `JSONEncoder` on Linux orders keys by hash,
/// differently on every run; `.sortedKeys` would be stable but alphabetical.) Decoding is
/// plain `JSONDecoder`.
public struct WireEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> Data {
        let root = Node()
        try root.set(value, codingPath: [])
        var out = ""
        try root.write(into: &out)
        return Data(out.utf8)
    }
}

/// One JSON value being built; containers fill in as the type encodes itself.
private final class Node {
    enum Kind { case empty, literal(String), array, object }
    var kind = Kind.empty
    var items: [Node] = []
    var members: [(key: String, value: Node)] = []

    /// Encodes `value` here: numbers, strings and booleans directly, anything else by its own
    /// `encode(to:)`.
    func set<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as String: kind = .literal(Self.quoted(v))
        case let v as Bool: kind = .literal(v ? "true" : "false")
        case let v as Double: kind = .literal(try Self.number(v, codingPath))
        case let v as Float: kind = .literal(try Self.number(Double(v), codingPath))
        case let v as any BinaryInteger: kind = .literal("\(v)")
        case JSONValue.verbatim(let text) as JSONValue: kind = .literal(text)
        case JSONValue.number(let text) as JSONValue:
            guard let n = Double(text), n.isFinite, text.allSatisfy({ "0123456789+-.eE".contains($0) }) else {
                throw EncodingError.invalidValue(text, .init(codingPath: codingPath, debugDescription: "'\(text)' is not a JSON number"))
            }
            kind = .literal(text)
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }

    static func number(_ v: Double, _ codingPath: [any CodingKey]) throws -> String {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: codingPath, debugDescription: "\(v) is not a JSON number"))
        }
        return "\(v)"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    func write(into out: inout String) throws {
        switch kind {
        case .empty: out += "{}"
        case .literal(let text): out += text
        case .array:
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                try item.write(into: &out)
            }
            out += "]"
        case .object:
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                out += Self.quoted(member.key) + ":"
                try member.value.write(into: &out)
            }
            out += "}"
        }
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.kind = .object
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.kind = .array
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> Node {
        let child = Node()
        node.members.append((key.stringValue, child))
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).kind = .literal("null") }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).set(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: child(Key(stringValue: "super")!), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.items.count }

    func next() -> Node {
        let child = Node()
        node.items.append(child)
        return child
    }

    mutating func encodeNil() throws { next().kind = .literal("null") }
    mutating func encode<T: Encodable>(_ value: T) throws { try next().set(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: next(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: next(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { NodeEncoder(node: next(), codingPath: codingPath) }
}

private struct Single: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { node.kind = .literal("null") }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.set(value, codingPath: codingPath) }
}
