/// A record field kept on the heap, with value semantics (copy on write).
///
/// Why: a Swift async function keeps every value it holds across an `await`
/// in its task's frame, and the check's records are large structs of optional
/// records (a `CheckObservations` was 2 KB, a `ProbeRecord` 700 bytes), held
/// by value at every level of the check's call chain. Ten thousand checks in
/// flight (`scan`) paid that many times over. Boxed, a rarely-set field costs
/// one pointer. Coding is unchanged: a nil field is left out of the JSON, as
/// before.
@propertyWrapper
public struct Boxed<Value>: @unchecked Sendable {
    // @unchecked: the storage is never shared mutably; a write to shared
    // storage copies it first (isKnownUniquelyReferenced).
    final class Storage {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    public init(wrappedValue: Value) {
        storage = Storage(wrappedValue)
    }

    public var wrappedValue: Value {
        get { storage.value }
        set {
            if isKnownUniquelyReferenced(&storage) {
                storage.value = newValue
            } else {
                storage = Storage(newValue)
            }
        }
    }
}

extension Boxed: Equatable where Value: Equatable {
    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs.wrappedValue == rhs.wrappedValue }
}

extension Boxed: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(wrappedValue) }
}

extension Boxed: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension Boxed: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        self.init(wrappedValue: try decoder.singleValueContainer().decode(Value.self))
    }
}

// A boxed optional field codes as the plain optional did: left out when nil.
extension KeyedEncodingContainer {
    public mutating func encode<Wrapped: Encodable>(_ value: Boxed<Wrapped?>, forKey key: Key) throws {
        try encodeIfPresent(value.wrappedValue, forKey: key)
    }
}

extension KeyedDecodingContainer {
    public func decode<Wrapped: Decodable>(_ type: Boxed<Wrapped?>.Type, forKey key: Key) throws -> Boxed<Wrapped?> {
        Boxed(wrappedValue: try decodeIfPresent(Wrapped.self, forKey: key))
    }
}
