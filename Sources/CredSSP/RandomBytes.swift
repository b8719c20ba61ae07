// The client needs fresh random bytes (client challenge, session key, nonce).
// They come through this seam so tests can replay fixed values.

/// A source of random bytes.
public struct RandomBytes: Sendable {
    private let generate: @Sendable (Int) -> [UInt8]

    public init(_ generate: @escaping @Sendable (Int) -> [UInt8]) {
        self.generate = generate
    }

    /// The system's cryptographically secure generator.
    public static let system = RandomBytes { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    func callAsFunction(_ count: Int) -> [UInt8] { generate(count) }
}
