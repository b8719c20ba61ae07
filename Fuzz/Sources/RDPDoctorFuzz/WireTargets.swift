import RDPProtocol
import RDPWire

/// The wire decoders: each gets the fuzzer's bytes as the server would send
/// them. A `WireError` is the expected answer to bad bytes; a trap, a hang or
/// an unbounded allocation is a finding. Where an encoder exists, a PDU that
/// decodes must survive encode → decode unchanged.
enum WireTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "tpkt", summary: "TPKTFramer (TPKT and fast-path) over the stream cut into chunks, PeerProtocol", run: tpkt),
        FuzzTarget(name: "x224", summary: "X.224 Connection Confirm; Connection Request with a round trip", run: x224),
        FuzzTarget(
            name: "mcs-connect-initial", summary: "the client's MCS Connect Initial (GCC, client data blocks) as analyze reads it, with a round trip",
            run: mcsConnectInitial),
        FuzzTarget(name: "mcs-connect-response", summary: "MCS Connect Response (GCC, server data blocks, server certificate)", run: mcsConnectResponse),
        FuzzTarget(name: "server-data", summary: "GCC server data blocks on their own (core, security with certificate, network)", run: serverData),
        FuzzTarget(name: "mcs-domain", summary: "MCS domain PDUs, whole TPKT frames and bare", run: mcsDomain),
        FuzzTarget(name: "licensing", summary: "server licensing PDU, and the security header before it", run: licensing),
        FuzzTarget(name: "share", summary: "share control/data PDUs: Demand Active, Set Error Info, Save Session Info, redirection", run: share),
        FuzzTarget(name: "redirection", summary: "Server Redirection PDU body", run: redirection),
        FuzzTarget(name: "rdpudp", summary: "RDP-UDP SYN and SYN+ACK datagrams with a round trip", run: rdpudp),
    ]

    /// First byte: chunk sizes and whether fast-path is accepted; the rest is the stream.
    static func tpkt(_ bytes: [UInt8]) {
        var cursor = Cursor(bytes)
        let mode = cursor.byte()
        let stream = cursor.rest()
        _ = PeerProtocol.identify(stream[...])
        _ = PeerProtocol.bestGuess(stream[...])
        var framer = TPKTFramer(acceptsFastPath: mode & 0x80 != 0)
        let chunk = Int(mode & 0x7F) + 1
        var offset = 0
        var framed = 0
        while offset < stream.count {
            let end = min(stream.count, offset + chunk)
            framer.append(stream[offset..<end])
            offset = end
            while true {
                let next: TPKTFramer.Next
                do { next = try framer.next() } catch { return }
                guard case let .frame(_, frame) = next else { break }
                framed += frame.count
                if frame.isEmpty || frame.count > 0xFFFF { violated("tpkt: a frame of \(frame.count) bytes") }
            }
            if framed + framer.bufferedCount != offset { violated("tpkt: bytes lost or made up", "\(framed) + \(framer.bufferedCount) != \(offset)") }
        }
    }

    static func x224(_ bytes: [UInt8]) {
        _ = try? X224ConnectionConfirm.decode(bytes[...])
        guard let request = try? X224ConnectionRequest.decode(bytes[...]) else { return }
        guard let encoded = try? request.encode() else { return }
        let again: X224ConnectionRequest
        do { again = try X224ConnectionRequest.decode(encoded[...]) } catch {
            violated("x224: a re-encoded Connection Request does not decode", "\(error)")
        }
        if again != request { violated("x224: Connection Request round trip", "\(request) != \(again)") }
    }

    /// A Connect Initial that decodes and that rdpdoctor's encoder can write
    /// again reads back with the same numbers (names may be cut to 15 characters).
    static func mcsConnectInitial(_ bytes: [UInt8]) {
        _ = try? ClientConnectData.decode(bytes[...])
        guard let initial = try? MCSConnectInitial.decode(bytes[...]),
            let encoded = try? initial.encode()
        else { return }
        let again: MCSConnectInitial
        do { again = try MCSConnectInitial.decode(encoded[...]) } catch {
            violated("mcs-connect-initial: a re-encoded Connect Initial does not decode", "\(error)")
        }
        let (a, b) = (initial.clientData.core, again.clientData.core)
        if (a.clientBuild, a.desktopWidth, a.desktopHeight, a.keyboardLayout, a.version) != (
            b.clientBuild, b.desktopWidth, b.desktopHeight, b.keyboardLayout, b.version
        ) {
            violated("mcs-connect-initial: round trip", "\(a) != \(b)")
        }
        if initial.clientData.network?.channels.count != again.clientData.network?.channels.count {
            violated("mcs-connect-initial: channels lost in the round trip")
        }
    }

    static func mcsConnectResponse(_ bytes: [UInt8]) {
        _ = try? MCSConnectResponse.decode(bytes[...])
    }

    static func serverData(_ bytes: [UInt8]) {
        _ = try? ServerConnectData.decode(bytes[...])
    }

    static func mcsDomain(_ bytes: [UInt8]) {
        _ = try? MCSDomainPDU.decode(frame: bytes[...])
        _ = try? MCSDomainPDU.decode(bytes[...])
    }

    static func licensing(_ bytes: [UInt8]) {
        _ = try? ServerLicensingPDU.decode(bytes[...])
        for fips in [false, true] {
            var reader = ByteReader(bytes, pdu: "security header")
            guard (try? SecurityHeader.decode(from: &reader, fips: fips)) != nil else { continue }
            _ = try? ServerLicensingPDU.decode(bytes[(bytes.startIndex + reader.offset)...])
        }
    }

    static func share(_ bytes: [UInt8]) {
        _ = try? ServerSharePDU.decodeAll(bytes[...])
        var reader = ByteReader(bytes, pdu: "share control")
        while !reader.isAtEnd, (try? ServerSharePDU.decode(from: &reader)) != nil {}
    }

    static func redirection(_ bytes: [UInt8]) {
        var reader = ByteReader(bytes, pdu: "server redirection")
        _ = try? ServerRedirection.decode(from: &reader)
    }

    static func rdpudp(_ bytes: [UInt8]) {
        for synAck in [false, true] {
            func decode(_ datagram: [UInt8]) throws(WireError) -> RDPUDPSynDatagram {
                synAck ? try RDPUDPSynDatagram.decodeSynAck(datagram[...]) : try RDPUDPSynDatagram.decodeSyn(datagram[...])
            }
            guard let datagram = try? decode(bytes), let encoded = try? datagram.encode(padded: false) else { continue }
            let again: RDPUDPSynDatagram
            do { again = try decode(encoded) } catch {
                violated("rdpudp: a re-encoded datagram does not decode", "\(error)")
            }
            if again != datagram { violated("rdpudp: round trip", "\(datagram) != \(again)") }
        }
    }
}
