// What the NTLM CHALLENGE says about the server, gathered for diagnosis: it
// arrives before any credential is sent, so even an anonymous probe learns it.
import NTLM

/// The server's identity and clock as its CHALLENGE reports them.
public struct ChallengeInfo: Sendable, Hashable {
    /// The version in the server's TSRequest.
    public let credSSPVersion: Int
    public let flags: NegotiateFlags
    public let targetName: String
    public let nbComputerName: String?
    public let nbDomainName: String?
    public let dnsComputerName: String?
    public let dnsDomainName: String?
    public let dnsTreeName: String?
    /// The server's clock (MsvAvTimestamp).
    public let serverTime: FileTime?
    /// The server's Windows version, when it sends one.
    public let osVersion: NTLMVersion?
    /// Every AV pair, including ones not named above.
    public let targetInfo: TargetInfo

    public init(credSSPVersion: Int, challenge: ChallengeMessage) {
        self.credSSPVersion = credSSPVersion
        flags = challenge.flags
        targetName = challenge.targetName
        let info = challenge.targetInfo
        nbComputerName = info.nbComputerName
        nbDomainName = info.nbDomainName
        dnsComputerName = info.dnsComputerName
        dnsDomainName = info.dnsDomainName
        dnsTreeName = info.dnsTreeName
        serverTime = info.timestamp
        osVersion = challenge.version
        targetInfo = info
    }
}
