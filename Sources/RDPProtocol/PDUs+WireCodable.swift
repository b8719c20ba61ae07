import RDPWire

// Every server PDU rdpdoctor reads and every client PDU it writes, under the
// one decode/encode protocol of RDPWire.
extension X224ConnectionRequest: WireDecodable, WireEncodable {}
extension X224ConnectionConfirm: WireDecodable, WireEncodable {}
extension MCSConnectInitial: WireDecodable, WireEncodable {}
extension ClientConnectData: WireDecodable {}
extension MCSConnectResponse: WireDecodable {}
extension ServerConnectData: WireDecodable {}
extension MCSDomainPDU: WireDecodable {}
extension ServerLicensingPDU: WireDecodable {}
extension ClientInfoPDU: WireEncodable {}
extension ServerRedirection: WireReadable {}
extension ServerSharePDU: WireReadable {}
