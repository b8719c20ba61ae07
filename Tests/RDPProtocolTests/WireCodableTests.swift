import RDPProtocol
import RDPWire
import Testing

/// The one decode/encode protocol: every server PDU reads through
/// `WireDecodable.decode(_:)`, and any bytes give a value or a `WireError`.
@Suite("one decode protocol for every PDU")
struct WireCodableTests {
    static let decoders: [(name: String, decode: @Sendable (ArraySlice<UInt8>) throws(WireError) -> Void)] = [
        ("X.224 Connection Request", { bytes throws(WireError) in _ = try X224ConnectionRequest.decode(bytes) }),
        ("X.224 Connection Confirm", { bytes throws(WireError) in _ = try X224ConnectionConfirm.decode(bytes) }),
        ("MCS Connect Initial", { bytes throws(WireError) in _ = try MCSConnectInitial.decode(bytes) }),
        ("client data blocks", { bytes throws(WireError) in _ = try ClientConnectData.decode(bytes) }),
        ("MCS Connect Response", { bytes throws(WireError) in _ = try MCSConnectResponse.decode(bytes) }),
        ("server data blocks", { bytes throws(WireError) in _ = try ServerConnectData.decode(bytes) }),
        ("MCS domain PDU", { bytes throws(WireError) in _ = try MCSDomainPDU.decode(bytes) }),
        ("licensing", { bytes throws(WireError) in _ = try ServerLicensingPDU.decode(bytes) }),
        ("Server Redirection", { bytes throws(WireError) in _ = try ServerRedirection.decode(bytes) }),
        ("share control", { bytes throws(WireError) in _ = try ServerSharePDU.decode(bytes) }),
    ]

    @Test(
        "every prefix of a real frame, and bytes of every value, decode or throw a WireError naming a PDU",
        arguments: decoders.map(\.name))
    func anyBytes(_ name: String) throws {
        let decode = try #require(Self.decoders.first { $0.name == name }).decode
        let confirm: [UInt8] = [
            0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0x00, 0x00, 0x12, 0x34, 0x00,
            0x02, 0x1F, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00,
        ]
        var inputs: [[UInt8]] = (0...confirm.count).map { Array(confirm.prefix($0)) }
        inputs += (0...255).map { [UInt8]([UInt8($0), 0xFF, 0x00, 0x80, 0x7F, 0x01]) }
        inputs.append([UInt8](repeating: 0xFF, count: 70_000))
        for input in inputs {
            do throws(WireError) {
                try decode(input[...])
            } catch {
                #expect(!error.pdu.isEmpty, "\(name): \(error)")
            }
        }
    }

    @Test("what the client writes reads back through the same protocol")
    func roundTrip() throws {
        let request = X224ConnectionRequest(token: .cookie("rdpdoctor"), requestedProtocols: [.ssl, .hybrid])
        #expect(try X224ConnectionRequest.decode(try request.encode()[...]) == request)
    }
}
