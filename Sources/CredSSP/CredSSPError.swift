// Typed errors for CredSSP decoding: whatever bytes a server sends, the
// result is one of these, never a crash.
import NTLM

/// Why CredSSP bytes could not be decoded.
public enum CredSSPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message is larger than this implementation accepts.
    case messageTooLarge(Int)
    /// The DER is malformed or does not have the TSRequest (or TSCredentials) shape.
    case malformedDER(String)
    /// errorCode does not fit in 32 bits.
    case errorCodeOutOfRange
    /// A fixed-size structure has the wrong size.
    case wrongLength(expected: Int, found: Int)

    public var description: String {
        switch self {
        case .messageTooLarge(let count): "CredSSP message of \(count) bytes is larger than accepted"
        case .malformedDER(let why): "malformed CredSSP message: \(why)"
        case .errorCodeOutOfRange: "CredSSP errorCode does not fit in 32 bits"
        case .wrongLength(let expected, let found): "expected \(expected) bytes, found \(found)"
        }
    }
}
