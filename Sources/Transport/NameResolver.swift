import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Name resolution with every address kept, so the report can list all of
/// them and say which one was used. getaddrinfo blocks, so it runs on its own
/// thread and the caller bounds the wait.
public enum NameResolver {
    public struct Resolved: Sendable {
        public let addresses: [SocketAddress]
        public let durationMs: Double
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func resolve(host: String, port: UInt16, timeoutMs: Double) async throws(Failure) -> Resolved {
        let start = NIODeadline.now()
        let result: Result<[SocketAddress], Failure> = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            NIOThreadPool.singleton.submit { _ in once.resume(lookup(host: host, port: port)) }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(timeoutMs * 1_000_000))
                once.resume(.failure(Failure(description: "name resolution of \(host) did not answer within \(Int(timeoutMs)) ms")))
            }
        }
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        switch result {
        case .success(let addresses): return Resolved(addresses: addresses, durationMs: elapsed)
        case .failure(let failure): throw failure
        }
    }

    static func lookup(host: String, port: UInt16) -> Result<[SocketAddress], Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            return .failure(Failure(description: "\(host) does not resolve: \(reason)"))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = socketAddress(entry.pointee), !addresses.contains(address) {
                addresses.append(address)
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(Failure(description: "\(host) resolves to no usable address")) : .success(addresses)
    }

    private static func socketAddress(_ entry: addrinfo) -> SocketAddress? {
        guard let raw = entry.ai_addr else { return nil }
        switch Int32(raw.pointee.sa_family) {
        case AF_INET:
            return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee) }
        case AF_INET6:
            return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee) }
        default:
            return nil
        }
    }
}

/// Resumes a continuation exactly once, whichever side finishes first.
final class ResumeOnce<Value: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<Value, Never>?
    private let lock = NIOLock()

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: Value) {
        let taken: CheckedContinuation<Value, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        taken?.resume(returning: value)
    }
}
