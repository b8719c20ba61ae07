import ProbeCore
import Testing

@testable import Service

@Suite struct AllowListTests {
    let allow = AllowList(
        networks: [CIDR("127.0.0.0/8")!, CIDR("::1")!, CIDR("10.1.0.0/16")!],
        hosts: ["localhost", "*.rdp.example.com"],
        ports: [PortRange("3389")!, PortRange("33890-33940")!])

    @Test func cidrContainment() {
        let block = CIDR("192.0.2.128/25")!
        #expect(block.description == "192.0.2.128/25")
        #expect(block.contains([192, 0, 2, 200]))
        #expect(!block.contains([192, 0, 2, 127]))
        #expect(CIDR("127.0.0.0/8")!.contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1]))
        #expect(!CIDR("127.0.0.0/8")!.contains(Array(repeating: 0, count: 15) + [1]))
        #expect(CIDR("::1/128")!.contains(Array(repeating: 0, count: 15) + [1]))
        #expect(CIDR("10.0.0.1/8")!.description == "10.0.0.0/8")
        #expect(CIDR("0.0.0.0/0")!.contains([8, 8, 8, 8]))
        #expect(CIDR("fe80::1%eth0") == nil)
        #expect(CIDR("example.com/24") == nil)
    }

    @Test(arguments: [
        ("127.0.0.1:3389", true), ("127.9.9.9:33910", true), ("[::1]:3389", true), ("10.1.2.3", true),
        ("localhost:33891", true), ("LOCALHOST:33891", true), ("host1.rdp.example.com", true), ("localhost.:3389", true),
    ])
    func admits(target: String, allowed: Bool) throws {
        #expect(allow.admits(try Target.parse(target)) == .allowed)
    }

    @Test(arguments: [
        ("127.0.0.1:22", "port 22"), ("127.0.0.1:33941", "port 33941"), ("10.2.0.1", "not in an allowed network"),
        ("[::2]:3389", "not in an allowed network"), ("169.254.169.254:3389", "not in an allowed network"),
        ("rdp.example.com", "not in the allow-list"), ("evil-rdp.example.com", "not in the allow-list"),
        ("example.org", "not in the allow-list"), ("localhost.evil.org", "not in the allow-list"),
    ])
    func refuses(target: String, reason: String) throws {
        guard case .refused(let why) = allow.admits(try Target.parse(target)) else {
            Issue.record("\(target) was allowed")
            return
        }
        #expect(why.contains(reason))
    }

    @Test func resolvedAddressesAreCheckedAgain() {
        #expect(allow.admits(addresses: ["127.0.0.1", "::1"]) == .allowed)
        // A name that resolves to an allowed and a forbidden address is refused as a whole.
        #expect(allow.admits(addresses: ["127.0.0.1", "192.168.1.1"]) != .allowed)
        #expect(allow.admits(addresses: []) != .allowed)
    }

    @Test func defaultDenyWithAnEmptyList() throws {
        let none = AllowList(networks: [], hosts: [], ports: [PortRange("1-65535")!])
        #expect(none.admits(try Target.parse("127.0.0.1")) != .allowed)
        #expect(none.admits(try Target.parse("localhost")) != .allowed)
    }
}
