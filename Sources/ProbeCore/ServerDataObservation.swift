import RDPProtocol

extension ServerDataObservation {
    /// What an MCS Connect Response says, as a check records it and as a
    /// capture replay does (one mapping for both).
    public init(_ response: MCSConnectResponse) {
        self.init()
        mcsResult = UInt32(response.result.rawValue)
        guard let data = response.serverData else { return }
        rdpVersion = data.core?.version.rawValue
        clientRequestedProtocols = data.core?.clientRequestedProtocols?.rawValue
        earlyCapabilityFlags = data.core?.earlyCapabilityFlags?.rawValue
        if let security = data.security {
            encryptionMethod = security.encryptionMethod.rawValue
            encryptionLevel = security.encryptionLevel.rawValue
            serverRandomLength = security.serverRandom.count
            switch security.certificate {
            case let .proprietary(certificate, _)?:
                self.certificate = .proprietary(keyBits: Int(certificate.publicKey.bitLength))
            case let .x509Chain(chain, _)?:
                self.certificate = .x509(chain: chain.map(HexBytes.init))
            case nil:
                break
            }
        }
        if let network = data.network {
            ioChannel = network.ioChannelID
            channelIDs = network.channelIDs
        }
        messageChannel = data.messageChannelID
        multitransportFlags = data.multitransport?.rawValue
    }
}
