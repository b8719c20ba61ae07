import RDPWire

// IPv4/IPv6 packets around a TCP segment or UDP datagram, for captures written
// from what a program sent and received on its sockets (the kernel's own
// headers are not seen there). Checksums are computed, so no tool flags them.

/// Builds raw IP packets (LINKTYPE_RAW: the packet starts with the IP header).
public enum PacketSynthesis {
    /// The largest IP packet: the IPv4 total length and the IPv6 payload length are 16 bits.
    public static let maximumIPPacket = 65535
    static let tcpHeaderLength = 20
    static let udpHeaderLength = 8

    /// The most payload one TCP segment between these endpoints carries.
    public static func maximumTCPPayload(ipv6: Bool) -> Int {
        maximumIPPacket - (ipv6 ? 40 : 20) - tcpHeaderLength
    }

    /// The most payload one UDP datagram carries.
    public static func maximumUDPPayload(ipv6: Bool) -> Int {
        maximumIPPacket - (ipv6 ? 40 : 20) - udpHeaderLength
    }

    /// A TCP segment in an IP packet. `payload` must fit (`maximumTCPPayload`).
    public static func tcp(
        from source: Endpoint, to destination: Endpoint, sequence: UInt32, acknowledgement: UInt32,
        flags: TCPFlags, window: UInt16 = 65535, payload: ArraySlice<UInt8>
    ) -> [UInt8] {
        var segment = ByteWriter(capacity: tcpHeaderLength + payload.count)
        segment.u16BE(source.port)
        segment.u16BE(destination.port)
        segment.u32BE(sequence)
        segment.u32BE(acknowledgement)
        segment.u8(UInt8(tcpHeaderLength / 4) << 4)
        segment.u8(flags.rawValue)
        segment.u16BE(window)
        segment.u16BE(0)  // checksum, filled in below
        segment.u16BE(0)  // urgent pointer
        segment.append(payload)
        return ip(protocol: 6, from: source.address, to: destination.address, transport: segment.bytes, checksumAt: 16)
    }

    /// A UDP datagram in an IP packet. `payload` must fit (`maximumUDPPayload`).
    public static func udp(from source: Endpoint, to destination: Endpoint, payload: ArraySlice<UInt8>) -> [UInt8] {
        var datagram = ByteWriter(capacity: udpHeaderLength + payload.count)
        datagram.u16BE(source.port)
        datagram.u16BE(destination.port)
        datagram.u16BE(UInt16(udpHeaderLength + payload.count))
        datagram.u16BE(0)
        datagram.append(payload)
        return ip(protocol: 17, from: source.address, to: destination.address, transport: datagram.bytes, checksumAt: 6)
    }

    /// The IP header (version from the address length) before `transport`, whose
    /// checksum at `checksumAt` is computed over the pseudo-header.
    static func ip(
        protocol number: UInt8, from source: IPAddressBytes, to destination: IPAddressBytes,
        transport: [UInt8], checksumAt: Int
    ) -> [UInt8] {
        var transport = transport
        var pseudo = ByteWriter(capacity: 40)
        pseudo.append(source.bytes)
        pseudo.append(destination.bytes)
        pseudo.u32BE(UInt32(transport.count))
        pseudo.u32BE(UInt32(number))
        var sum = checksum(pseudo.bytes[...], transport[...])
        if number == 17, sum == 0 { sum = 0xFFFF }  // UDP: zero means "no checksum"
        transport[checksumAt] = UInt8(sum >> 8)
        transport[checksumAt + 1] = UInt8(truncatingIfNeeded: sum)

        var header = ByteWriter(capacity: 40 + transport.count)
        if source.bytes.count == 16 {
            header.u32BE(0x6000_0000)
            header.u16BE(UInt16(transport.count))
            header.u8(number)
            header.u8(64)
            header.append(source.bytes)
            header.append(destination.bytes)
        } else {
            header.u8(0x45)
            header.u8(0)
            header.u16BE(UInt16(20 + transport.count))
            header.u16BE(0)  // identification
            header.u16BE(0x4000)  // don't fragment
            header.u8(64)
            header.u8(number)
            header.u16BE(0)
            header.append(source.bytes)
            header.append(destination.bytes)
            header.setU16BE(checksum(header.bytes[...]), at: 10)
        }
        header.append(transport)
        return header.bytes
    }

    /// The Internet checksum (RFC 1071) of the parts taken as one run of bytes.
    static func checksum(_ parts: ArraySlice<UInt8>...) -> UInt16 {
        var sum: UInt64 = 0
        var odd: UInt8?
        for part in parts {
            for byte in part {
                if let high = odd {
                    sum += UInt64(high) << 8 | UInt64(byte)
                    odd = nil
                } else {
                    odd = byte
                }
            }
        }
        if let high = odd { sum += UInt64(high) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
