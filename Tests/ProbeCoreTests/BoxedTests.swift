import Foundation
import Testing

@testable import ProbeCore

/// Boxed record fields keep value semantics and code as the plain optionals did.
@Suite struct BoxedTests {
    @Test("a copy is independent of the original (copy on write)")
    func valueSemantics() {
        var first = CheckObservations(target: Target(host: "h", port: 3389), startedAtUnix: 1, timeoutMs: 5000)
        first.resolution = ResolutionObservation(addresses: ["10.0.0.1"], usedAddress: nil, durationMs: 1, error: nil, literal: false)
        var second = first
        second.resolution?.addresses.append("10.0.0.2")
        #expect(first.resolution?.addresses == ["10.0.0.1"])
        #expect(second.resolution?.addresses == ["10.0.0.1", "10.0.0.2"])
    }

    @Test("a nil boxed field is left out of the JSON, a set one written as before, and both decode back")
    func coding() throws {
        var observations = CheckObservations(target: Target(host: "h", port: 3389), startedAtUnix: 1, timeoutMs: 5000)
        let empty = String(decoding: try JSONEncoder().encode(observations), as: UTF8.self)
        for key in ["resolution", "gateway", "credentialCheck", "service", "udp", "stepCapMs"] {
            #expect(!empty.contains("\"\(key)\""), "\(key) in \(empty)")
        }
        observations.resolution = ResolutionObservation(
            addresses: ["127.0.0.1"], usedAddress: nil, durationMs: 0,
            error: nil, literal: true)
        let set = try JSONEncoder().encode(observations)
        #expect(String(decoding: set, as: UTF8.self).contains("\"resolution\":{"))
        let decoded = try JSONDecoder().decode(CheckObservations.self, from: set)
        #expect(decoded.resolution?.addresses == ["127.0.0.1"])
        #expect(decoded.gateway == nil)
        #expect(try JSONDecoder().decode(CheckObservations.self, from: Data(empty.utf8)).resolution == nil)
    }
}
