import NIOCore
import ProbeCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the kernel's TCP_INFO for a connection (Linux). The layout is the
/// kernel's `struct tcp_info` (linux/tcp.h); glibc's copy stops before the
/// segment counters, so the bytes are read by offset.
enum TCPStatistics {
    /// 232 bytes: through tcpi_snd_wnd (Linux 5.4). NIO zeroes the buffer, so an
    /// older kernel leaves the later fields 0; `reportsPeerWindow` says whether
    /// tcpi_snd_wnd can be believed.
    typealias Raw = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    /// The running kernel's major and minor version.
    static let kernelRelease: (Int, Int)? = {
        #if os(Linux)
            var names = utsname()
            guard uname(&names) == 0 else { return nil }
            let release = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        #else
            return nil
        #endif
    }()

    /// Linux 5.4 and later fill in tcpi_snd_wnd (the peer's advertised window).
    static let reportsPeerWindow: Bool = kernelRelease.map { $0 >= (5, 4) } ?? false

    /// Linux 4.18 and later fill in tcpi_delivered (and, since 4.6, tcpi_data_segs_out).
    static let reportsDelivery: Bool = kernelRelease.map { $0 >= (4, 18) } ?? false

    static func read(_ channel: any Channel) -> EventLoopFuture<TCPStats?> {
        #if os(Linux)
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeSucceededFuture(nil)
            }
            return provider.unsafeGetSocketOption(level: .tcp, name: .init(rawValue: TCP_INFO)).map { (raw: Raw) -> TCPStats? in
                withUnsafeBytes(of: raw) { bytes in
                    func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
                    return TCPStats(
                        rttMs: Double(u32(68)) / 1000, rttVarianceMs: Double(u32(72)) / 1000,
                        minRTTMs: Double(u32(148)) / 1000, totalRetransmits: Int(u32(100)), lost: Int(u32(32)),
                        segmentsOut: Int(u32(136)), segmentsIn: Int(u32(140)), pathMTU: Int(u32(60)),
                        sendMSS: Int(u32(16)), peerWindow: reportsPeerWindow ? Int(u32(228)) : nil,
                        unsentBytes: Int(u32(144)),
                        dataSegmentsOut: reportsDelivery ? Int(u32(156)) : nil, delivered: reportsDelivery ? Int(u32(192)) : nil)
                }
            }.recover { _ in nil }
        #else
            return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}

/// Counts the bytes that arrive on the wire (before TLS), so a stall can be
/// told apart from silence: "the server began its certificate flight, then
/// nothing more arrived" is an MTU black hole's signature.
final class RawByteCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Arrived: Sendable {
        let bytes: Int
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        context.fireUserInboundEventTriggered(Arrived(bytes: count))
        context.fireChannelRead(data)
    }
}
