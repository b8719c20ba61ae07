import RDPProtocol

extension ServerDataObservation {
    /// What an MCS Connect Response says, as a check records it and as a
    /// capture replay does (one mapping for both).
    public init(_ response: MCSConnectResponse) {
        self.init()
        mcsResult = response.result
        guard let data = response.serverData else { return }
        rdpVersion = data.core?.version
        clientRequestedProtocols = data.core?.clientRequestedProtocols
        earlyCapabilityFlags = data.core?.earlyCapabilityFlags
        if let security = data.security {
            encryptionMethod = security.encryptionMethod
            encryptionLevel = security.encryptionLevel
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
        multitransportFlags = data.multitransport
    }
}
