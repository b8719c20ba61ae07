// Typed errors for everything in the NTLM module: bad input is an error value,
// never a crash.

/// Why an NTLM message could not be read or an operation could not be done.
public enum NTLMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes end before `what` could be read.
    case truncated(String)
    /// The message does not start with "NTLMSSP\0".
    case badSignature
    /// The message type field is not the one expected.
    case unexpectedMessageType(expected: UInt32, found: UInt32)
    /// A length/offset field points outside the message.
    case fieldOutOfBounds(String)
    /// A UTF-16 string field has an odd number of bytes.
    case malformedString(String)
    /// The target information (AV pairs) is malformed.
    case malformedTargetInfo(String)
    /// The peer did not agree to something this implementation requires.
    case unsupported(String)
    /// A caller-supplied value has the wrong size or form.
    case invalidParameter(String)
    /// A signature (MAC) did not verify.
    case signatureMismatch

    public var description: String {
        switch self {
        case .truncated(let what): "NTLM message truncated: \(what)"
        case .badSignature: "not an NTLM message (no NTLMSSP signature)"
        case .unexpectedMessageType(let expected, let found): "NTLM message type \(found), expected \(expected)"
        case .fieldOutOfBounds(let field): "NTLM field \(field) points outside the message"
        case .malformedString(let field): "NTLM string \(field) has an odd number of bytes"
        case .malformedTargetInfo(let why): "NTLM target information malformed: \(why)"
        case .unsupported(let what): "NTLM peer does not support \(what)"
        case .invalidParameter(let what): "invalid NTLM parameter: \(what)"
        case .signatureMismatch: "NTLM signature did not verify"
        }
    }
}
