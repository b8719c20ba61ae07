import ProbeCore
import Testing

@testable import Service

@Suite struct ConfigTests {
    static let sample = """
        concurrency: 4
        timeout_offset: 0.5
        allow:
          networks: [127.0.0.0/8, "::1/128"]
          hosts: [localhost, "*.rdp.example.com"]
          ports: [3389, 33890-33940]
        modules:
          rdp_quick:
            quick: true
            timeout: 3s
          rdp_full:
            timeout: 10
            cert_sha256: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
            credentials:
              user: 'CORP\\monitor'
              password_env: RDP_MONITOR_PASSWORD
            expect:
              nla_required: true
              min_tls: "1.2"
        """

    @Test func parsesEverySetting() throws {
        let config = try ServiceConfig.parse(yaml: Self.sample)
        #expect(config.concurrency == 4)
        #expect(config.timeoutOffset == 0.5)
        #expect(config.allow.networks.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(config.allow.hosts == ["localhost", "*.rdp.example.com"])
        #expect(config.allow.ports.map(\.description) == ["3389", "33890-33940"])
        let quick = try #require(config.modules["rdp_quick"])
        #expect(quick.quick && quick.timeout == 3)
        let full = try #require(config.modules["rdp_full"])
        #expect(!full.quick && full.timeout == 10)
        #expect(full.certSHA256?.count == 32)
        #expect(
            full.credentials
                == CredentialReference(
                    account: "CORP\\monitor", source: .environment("RDP_MONITOR_PASSWORD"),
                    logon: false, insecure: false))
        #expect(full.expect == Expectations(nlaRequired: true, minimumTLS: .tls12))
    }

    @Test(arguments: [
        ("", "empty"),
        ("modules: {a: {}}", "allow is missing"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}", "modules is missing"),
        ("allow: {networks: [127.0.0.1]}\nmodules: {a: {}}", "allow.ports is missing"),
        ("allow: {ports: [3389]}\nmodules: {a: {}}", "allow.networks is missing"),
        ("allow: {networks: [300.0.0.1], ports: [3389]}\nmodules: {a: {}}", "not an address or CIDR"),
        ("allow: {networks: [127.0.0.1/33], ports: [3389]}\nmodules: {a: {}}", "not an address or CIDR"),
        ("allow: {networks: [127.0.0.1], ports: [0]}\nmodules: {a: {}}", "not a port or range"),
        ("allow: {networks: [127.0.0.1], ports: [20-10]}\nmodules: {a: {}}", "not a port or range"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {timout: 5}}", "modules.a.timout is not a known setting"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {timeout: 500}}", "at most 120"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {timeout: soon}}", "must be a duration"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {quick: maybe}}", "true or false"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {cert_sha256: abc}}", "64 hex digits"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {credentials: {user: u, password: hunter2}}}", "never written"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {credentials: {user: u}}}", "exactly one of"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {expect: {min_tls: '2.0'}}}", "min_tls must be one of"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {'bad name': {}}", "module name"),
        ("concurrency: 0\nallow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {}}", "concurrency must be"),
        ("allow: [1, 2]\nmodules: {a: {}}", "allow must be a mapping"),
        ("allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {}}\n  bad: [", "not valid YAML"),
    ])
    func refusesBadConfigurations(yaml: String, message: String) {
        #expect {
            try ServiceConfig.parse(yaml: yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func gatewayModules() throws {
        let config = try ServiceConfig.parse(
            yaml: """
                allow: {networks: [127.0.0.1], ports: [3389]}
                modules:
                  own_account:
                    gateway: {address: rdg.example.com, user: 'CORP\\gw', password_file: /run/secrets/gw, insecure: true}
                  same_account:
                    credentials: {user: monitor, password_env: P}
                    gateway: {address: "127.0.0.1:8443"}
                """)
        let own = try #require(config.modules["own_account"]?.gateway)
        #expect(own.address == Target(host: "rdg.example.com", port: 443, written: "rdg.example.com"))
        #expect(own.account == "CORP\\gw" && own.source == .file("/run/secrets/gw") && own.insecure)
        #expect("\(own)" == "rdg.example.com:443 as CORP\\gw (password from /run/secrets/gw)")
        let same = try #require(config.modules["same_account"]?.gateway)
        #expect(same.address.port == 8443 && same.account == nil && same.source == nil && !same.insecure)
    }

    @Test(arguments: [
        ("gateway: {user: u, password_env: P}", "gateway.address is missing"),
        ("gateway: {address: 'rdg:99999'}", "gateway.address"),
        ("gateway: {address: rdg, password: x}", "never written"),
        ("gateway: {address: rdg, user: u}", "needs password_env or password_file"),
        ("gateway: {address: rdg, password_env: P}", "a password without a user"),
        ("gateway: {address: rdg, port: 443}", "gateway.port is not a known setting"),
    ])
    func refusesBadGateways(module: String, message: String) {
        #expect {
            try ServiceConfig.parse(yaml: "allow: {networks: [127.0.0.1], ports: [3389]}\nmodules: {a: {\(module)}}")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aPasswordNeverAppearsInAReference() throws {
        let config = try ServiceConfig.parse(yaml: Self.sample)
        let reference = try #require(config.modules["rdp_full"]?.credentials)
        #expect("\(reference)" == "CORP\\monitor (password from $RDP_MONITOR_PASSWORD)")
    }
}

@Suite struct TimeoutTests {
    let module = ProbeModule(name: "m", timeout: 10)

    @Test func scrapeTimeoutMinusOffsetCappedByModule() {
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: "5", offset: 0.5, module: module) == 4.5)
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: "15", offset: 0.5, module: module) == 10)
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: nil, offset: 0.5, module: module) == 10)
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: "nonsense", offset: 0.5, module: module) == 10)
        // Nothing left after the offset: the module's timeout (blackbox_exporter's rule).
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: "0.4", offset: 0.5, module: module) == 10)
        #expect(ProbeTimeout.seconds(scrapeTimeoutHeader: "-3", offset: 0.5, module: module) == 10)
    }
}
