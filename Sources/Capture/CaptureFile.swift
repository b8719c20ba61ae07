import RDPWire

// Reads pcap and pcapng from bytes as they arrive (the caller reads the file in
// chunks), so a capture of any size is read in bounded memory. Every length is
// checked before anything is copied; a block larger than the limits below is a
// typed error, not an allocation.

/// One packet as the capture recorded it.
public struct CapturedPacket: Sendable, Equatable {
    /// Which interface recorded it (pcapng); 0 in pcap.
    public let interface: Int
    public let linkType: LinkType
    /// Microseconds since the Unix epoch.
    public let timestampMicros: Int64
    /// The bytes recorded (at most the snapshot length).
    public let data: [UInt8]
    /// The packet's length on the wire.
    public let originalLength: Int
}

/// What a capture file yields, in file order.
public enum CaptureRecord: Sendable, Equatable {
    case packet(CapturedPacket)
    /// A pcapng Decryption Secrets Block: its type and data (an NSS key log for TLS).
    case secrets(type: UInt32, data: [UInt8])
}

/// The link-layer header type (tcpdump.org's LINKTYPE_ values).
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    public static let raw = LinkType(rawValue: 101)
    public static let loop = LinkType(rawValue: 108)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)
}

/// Why a capture cannot be read further.
public enum CaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file starts with neither the pcap nor the pcapng magic number.
    case notACapture
    /// A structure is malformed; the message says which and where.
    case malformed(String)
    /// The file ends inside a block or record.
    case truncated(String)

    public var description: String {
        switch self {
        case .notACapture: "not a pcap or pcapng file (unknown magic number)"
        case .malformed(let what): "malformed capture: \(what)"
        case .truncated(let what): "the capture ends inside \(what)"
        }
    }
}

/// A pcap or pcapng reader fed with chunks of the file.
public struct CaptureFileReader: Sendable {
    /// The largest pcapng block or pcap record read (a jumbo frame is 9 KiB;
    /// USB and Bluetooth captures stay far below this).
    public static let maximumRecordBytes = 1 << 20
    /// How many pcapng interfaces one section may describe.
    public static let maximumInterfaces = 4096

    private enum Format: Sendable {
        case unknown
        case pcap(bigEndian: Bool, nanoseconds: Bool, linkType: LinkType)
        case pcapng(bigEndian: Bool)
    }

    private struct Interface: Sendable {
        let linkType: LinkType
        /// Timestamp units per second (if_tsresol; 10^6 by default).
        let unitsPerSecond: UInt64
    }

    private var format: Format = .unknown
    private var buffer: [UInt8] = []
    private var position = 0
    private var interfaces: [Interface] = []
    /// Packets read so far.
    public private(set) var packetCount = 0

    public init() {}

    /// Adds the next bytes of the file.
    public mutating func append(_ chunk: some Sequence<UInt8>) {
        if position > 0, position >= buffer.count / 2 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next record, or nil when more bytes are needed.
    public mutating func next() throws(CaptureError) -> CaptureRecord? {
        while true {
            switch format {
            case .unknown:
                guard try readFileHeader() else { return nil }
            case let .pcap(bigEndian, nanoseconds, linkType):
                return try nextPcapRecord(bigEndian: bigEndian, nanoseconds: nanoseconds, linkType: linkType)
            case .pcapng(let bigEndian):
                guard let (type, body) = try nextBlock(bigEndian: bigEndian) else { return nil }
                if let record = try handleBlock(type: type, body: body, bigEndian: bigEndian) { return record }
            }
        }
    }

    /// Call at the end of the file: bytes left over are a cut-off record.
    public func finish() throws(CaptureError) {
        guard position == buffer.count else {
            if case .unknown = format { throw buffer.isEmpty ? .truncated("the file header") : .notACapture }
            throw .truncated("the last record (\(buffer.count - position) bytes left)")
        }
        if case .unknown = format { throw .truncated("the file header (the file is empty)") }
    }

    private var available: Int { buffer.count - position }

    private func u16(_ offset: Int, _ bigEndian: Bool) -> UInt16 {
        let a = UInt16(buffer[position + offset])
        let b = UInt16(buffer[position + offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    private func u32(_ offset: Int, _ bigEndian: Bool) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(buffer[position + offset + (bigEndian ? index : 3 - index)])
            value = value << 8 | byte
        }
        return value
    }

    // MARK: pcap

    private mutating func readFileHeader() throws(CaptureError) -> Bool {
        guard available >= 4 else { return false }
        let magicLE = u32(0, false)
        switch magicLE {
        case 0x0A0D_0D0A:
            format = .pcapng(bigEndian: false)  // decided by the section header's byte-order magic
            guard available >= 12 else { format = .unknown; return false }
            let order = u32(8, false)
            if order == 0x1A2B_3C4D {
                format = .pcapng(bigEndian: false)
            } else if order == 0x4D3C_2B1A {
                format = .pcapng(bigEndian: true)
            } else {
                throw .malformed("pcapng section header byte-order magic 0x\(String(order, radix: 16))")
            }
            return true
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1:
            guard available >= 24 else { return false }
            let bigEndian = magicLE == 0xD4C3_B2A1 || magicLE == 0x4D3C_B2A1
            let nanoseconds = magicLE == 0xA1B2_3C4D || magicLE == 0x4D3C_B2A1
            // The link type's low 16 bits; the upper ones hold FCS flags (pcap-linktype).
            let linkType = LinkType(rawValue: u32(20, bigEndian) & 0xFFFF)
            position += 24
            format = .pcap(bigEndian: bigEndian, nanoseconds: nanoseconds, linkType: linkType)
            return true
        default:
            throw .notACapture
        }
    }

    private mutating func nextPcapRecord(bigEndian: Bool, nanoseconds: Bool, linkType: LinkType) throws(CaptureError) -> CaptureRecord? {
        guard available >= 16 else { return nil }
        let seconds = Int64(u32(0, bigEndian))
        let fraction = Int64(u32(4, bigEndian))
        let included = Int(u32(8, bigEndian))
        let original = Int(u32(12, bigEndian))
        guard included <= Self.maximumRecordBytes else {
            throw .malformed("packet \(packetCount + 1) claims \(included) bytes (limit \(Self.maximumRecordBytes))")
        }
        guard available >= 16 + included else { return nil }
        let data = Array(buffer[(position + 16)..<(position + 16 + included)])
        position += 16 + included
        packetCount += 1
        let micros = seconds * 1_000_000 + (nanoseconds ? fraction / 1000 : fraction)
        return .packet(
            CapturedPacket(
                interface: 0, linkType: linkType, timestampMicros: micros, data: data,
                originalLength: original))
    }

    // MARK: pcapng

    /// The next whole block: its type and body (without the length fields).
    private mutating func nextBlock(bigEndian: Bool) throws(CaptureError) -> (UInt32, [UInt8])? {
        guard available >= 12 else { return nil }
        var type = u32(0, bigEndian)
        var order = bigEndian
        if type == 0x0A0D_0D0A {
            // A new section may change the byte order.
            let magic = u32(8, false)
            if magic == 0x1A2B_3C4D {
                order = false
            } else if magic == 0x4D3C_2B1A {
                order = true
            } else {
                throw .malformed("pcapng section header byte-order magic")
            }
            format = .pcapng(bigEndian: order)
            type = u32(0, order)
        }
        let length = Int(u32(4, order))
        guard length >= 12, length % 4 == 0 else { throw .malformed("pcapng block length \(length)") }
        guard length <= Self.maximumRecordBytes else {
            throw .malformed("pcapng block of \(length) bytes (limit \(Self.maximumRecordBytes))")
        }
        guard available >= length else { return nil }
        guard Int(u32(length - 4, order)) == length else { throw .malformed("pcapng block lengths disagree") }
        let body = Array(buffer[(position + 8)..<(position + length - 4)])
        position += length
        return (type, body)
    }

    private mutating func handleBlock(type: UInt32, body: [UInt8], bigEndian: Bool) throws(CaptureError) -> CaptureRecord? {
        var reader = ByteReader(body, pdu: "pcapng block")
        do {
            switch type {
            case 0x0A0D_0D0A:  // Section Header: interfaces are numbered per section
                interfaces = []
                return nil
            case 0x0000_0001:  // Interface Description
                guard interfaces.count < Self.maximumInterfaces else { throw CaptureError.malformed("more than \(Self.maximumInterfaces) interfaces") }
                let linkType = LinkType(rawValue: UInt32(try read16(&reader, bigEndian)))
                try reader.skip(6, "reserved and snaplen")
                interfaces.append(Interface(linkType: linkType, unitsPerSecond: try Self.resolution(&reader, bigEndian)))
                return nil
            case 0x0000_0006:  // Enhanced Packet
                let id = Int(try read32(&reader, bigEndian))
                guard id < interfaces.count else { throw CaptureError.malformed("packet on undescribed interface \(id)") }
                let high = UInt64(try read32(&reader, bigEndian))
                let low = UInt64(try read32(&reader, bigEndian))
                let captured = Int(try read32(&reader, bigEndian))
                let original = Int(try read32(&reader, bigEndian))
                let data = Array(try reader.bytes(captured, "packet data"))
                packetCount += 1
                let interface = interfaces[id]
                return .packet(
                    CapturedPacket(
                        interface: id, linkType: interface.linkType,
                        timestampMicros: Self.micros(high << 32 | low, interface.unitsPerSecond),
                        data: data, originalLength: original))
            case 0x0000_0003:  // Simple Packet: interface 0, no timestamp
                guard let interface = interfaces.first else { throw CaptureError.malformed("simple packet before any interface") }
                let original = Int(try read32(&reader, bigEndian))
                let data = Array(reader.rest().prefix(original))
                packetCount += 1
                return .packet(
                    CapturedPacket(
                        interface: 0, linkType: interface.linkType, timestampMicros: 0,
                        data: data, originalLength: original))
            case 0x0000_000A:  // Decryption Secrets
                let secretsType = try read32(&reader, bigEndian)
                let length = Int(try read32(&reader, bigEndian))
                return .secrets(type: secretsType, data: Array(try reader.bytes(length, "secrets")))
            default:
                return nil  // name resolution, statistics, custom blocks: not needed
            }
        } catch let error as CaptureError {
            throw error
        } catch let error as WireError {
            throw .malformed(error.description)
        } catch {
            throw .malformed("\(error)")
        }
    }

    private func read16(_ reader: inout ByteReader, _ bigEndian: Bool) throws(WireError) -> UInt16 {
        bigEndian ? try reader.u16BE("field") : try reader.u16LE("field")
    }

    private func read32(_ reader: inout ByteReader, _ bigEndian: Bool) throws(WireError) -> UInt32 {
        bigEndian ? try reader.u32BE("field") : try reader.u32LE("field")
    }

    /// if_tsresol (option 9) of an Interface Description's options, as units per second.
    private static func resolution(_ reader: inout ByteReader, _ bigEndian: Bool) throws(WireError) -> UInt64 {
        while reader.remaining >= 4 {
            let code = bigEndian ? try reader.u16BE("option code") : try reader.u16LE("option code")
            let length = Int(bigEndian ? try reader.u16BE("option length") : try reader.u16LE("option length"))
            if code == 0 { break }
            let value = try reader.bytes(length, "option value")
            try reader.skip((4 - length % 4) % 4, "option padding")
            if code == 9, let byte = value.first {
                let exponent = Int(byte & 0x7F)
                guard exponent <= 19 else { return 1_000_000 }  // beyond 64 bits: treat as the default
                var units: UInt64 = 1
                for _ in 0..<exponent { units *= (byte & 0x80) != 0 ? 2 : 10 }
                return units
            }
        }
        return 1_000_000
    }

    private static func micros(_ units: UInt64, _ unitsPerSecond: UInt64) -> Int64 {
        guard unitsPerSecond != 1_000_000 else { return Int64(clamping: units) }
        let seconds = units / unitsPerSecond
        let rest = units % unitsPerSecond
        return Int64(clamping: seconds) &* 1_000_000 &+ Int64(Double(rest) / Double(unitsPerSecond) * 1_000_000)
    }
}
