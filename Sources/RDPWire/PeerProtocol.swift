/// What a peer speaks, judged from the first bytes it sends. Used to name a
/// port that answers but is not an RDP listener (a web server, SSH, a TLS-only
/// service such as an RD Gateway, VNC).
public enum PeerProtocol: Sendable, Equatable {
    /// A TPKT header (version 3): RDP's slow-path framing.
    case rdp
    case http
    case ssh
    /// A TLS record: handshake (0x16) or alert (0x15), version 3.x.
    case tls
    case vnc
    case unknown(firstByte: UInt8)

    public var name: String {
        switch self {
        case .rdp: return "RDP"
        case .http: return "HTTP"
        case .ssh: return "SSH"
        case .tls: return "TLS (a service that expects TLS first)"
        case .vnc: return "VNC (RFB)"
        case let .unknown(first): return "an unrecognised protocol (first byte \(hexString(first)))"
        }
    }

    private static let signatures: [(bytes: [UInt8], peer: PeerProtocol)] = [
        (Array("HTTP/".utf8), .http),
        (Array("SSH-".utf8), .ssh),
        (Array("RFB ".utf8), .vnc),
        ([0x16, 0x03], .tls),
        ([0x15, 0x03], .tls),
    ]

    /// Names the protocol, or returns nil while the bytes seen so far are
    /// still the start of a known signature and more are needed to decide.
    public static func identify(_ prefix: ArraySlice<UInt8>) -> PeerProtocol? {
        guard let first = prefix.first else { return nil }
        if first == 0x03 { return .rdp }
        for signature in signatures {
            let seen = prefix.prefix(signature.bytes.count)
            guard seen.elementsEqual(signature.bytes.prefix(seen.count)) else { continue }
            if seen.count == signature.bytes.count { return signature.peer }
            return nil
        }
        return .unknown(firstByte: first)
    }

    /// The best answer from what arrived, for when the peer has stopped sending.
    public static func bestGuess(_ prefix: ArraySlice<UInt8>) -> PeerProtocol? {
        guard let first = prefix.first else { return nil }
        return identify(prefix) ?? .unknown(firstByte: first)
    }
}
