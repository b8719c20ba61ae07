import Foundation
import RDPDoctorKit
import Testing

// Network rule: these tests contact 127.0.0.1 only.

@Suite("RDPDoctorKit explain")
struct KitExplainTests {
    @Test("explain(\"0x904 0x7\") reads the pair a Microsoft client shows")
    func pair() throws {
        let explanations = try explain("0x904 0x7")
        let explanation = try #require(explanations.first)
        #expect(explanations.count == 1)
        #expect(explanation.kind == .pair)
        #expect(explanation.story != nil, "the 0x904/0x7 pair has its story in pairs.json")
        #expect(explanation.readings.map(\.role) == [.error, .extended])
        #expect(explanation.readings.first?.key == "disconnect:0x904")
    }

    @Test("explain reads pasted dialog text and names")
    func otherForms() throws {
        let pasted = try explain("Error code: 0x904\nExtended error code: 0x7")
        #expect(pasted.first?.kind == .pair)
        let name = try #require(try explain("ERRINFO_SERVER_DENIED_CONNECTION").first)
        #expect(name.isKnown)
    }

    @Test("empty text is an InputError, not a crash")
    func empty() {
        #expect(throws: InputError.self) { try explain("   ") }
    }

    @Test("explanations render as text and as rdpdoctor.explain/1 JSON")
    func rendering() throws {
        let explanations = try explain("0x904 0x7")
        #expect(render(explanations, json: false).contains("0x904"))
        let json = render(explanations, json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "rdpdoctor.explain/1")
        #expect((object["explanations"] as? [Any])?.count == 1)
    }
}

@Suite("RDPDoctorKit check")
struct KitCheckTests {
    @Test("a closed loopback port fails at TCP, quickly")
    func closedPort() async throws {
        let started = ContinuousClock.now
        let report = try await check("127.0.0.1:1", options: CheckOptions(timeout: 5, quick: true))
        let elapsed = ContinuousClock.now - started
        #expect(report.verdict.outcome == .fails)
        #expect(report.verdict.step == .tcp)
        #expect(report.exitStatus == 2)
        // Before the 5 s budget, not measured finer: a loaded machine must not fail it.
        #expect(elapsed < .seconds(4.5), "a refused connect answers at once, long before the budget; took \(elapsed)")
    }

    @Test("the check report renders as text and as rdpdoctor.check/3 JSON that parses")
    func rendering() async throws {
        let report = try await check("127.0.0.1:1", options: CheckOptions(timeout: 5, quick: true))
        #expect(render(report, json: false).contains("127.0.0.1"))
        let json = render(report, json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "rdpdoctor.check/3")
        #expect(object["exitStatus"] as? Int == 2)
        let verdict = try #require(object["verdict"] as? [String: Any])
        #expect(verdict["outcome"] as? String == "fails")
        #expect(verdict["step"] as? String == "tcp")
    }

    @Test("bad targets and options are thrown before anything is sent")
    func refusedArguments() async {
        await #expect(throws: TargetError.self) { try await check("127.0.0.1:99999") }
        await #expect(throws: CheckOptionsError.self) {
            try await check("127.0.0.1:1", options: CheckOptions(timeout: 0))
        }
        await #expect(throws: CheckOptionsError.self) {
            try await check("127.0.0.1:1", options: CheckOptions(pinnedLeafSHA256: [1, 2, 3]))
        }
    }

    @Test("options never show the password")
    func redaction() {
        let secret = "correct horse battery staple"
        let request = CredentialRequest(user: "alice", domain: "CORP", password: secret, logon: false, insecure: false)
        let options = CheckOptions(credentials: request)
        var dumped = ""
        dump(options, to: &dumped)
        for text in [options.description, String(describing: options), String(reflecting: options), dumped] {
            #expect(!text.contains(secret))
        }
        #expect(options.description.contains("CORP\\alice"))
    }
}

@Suite("README example")
struct ReadmeExampleTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The lines between the markers, without the markers.
    static func example(in text: String) -> String? {
        let lines = text.components(separatedBy: "\n")
        guard let begin = lines.firstIndex(where: { $0.contains("README example begins") }),
            let end = lines.firstIndex(where: { $0.contains("README example ends") }), begin < end
        else { return nil }
        return lines[(begin + 1)..<end].joined(separator: "\n")
    }

    @Test("README.md shows the code of ReadmeExample.swift, unchanged")
    func readmeMatches() throws {
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(
            contentsOf: Self.repository.appendingPathComponent("Tests/RDPDoctorKitTests/ReadmeExample.swift"),
            encoding: .utf8)
        let compiled = try #require(Self.example(in: source))
        #expect(readme.contains("```swift\n" + compiled + "\n```"), "README.md's example differs from ReadmeExample.swift")
    }

    @Test("the README example runs (against a closed loopback port)")
    func runs() async throws {
        let text = try await troubleshoot(host: "127.0.0.1:1")
        #expect(text.contains("0x904"))
        #expect(text.contains("A Microsoft client would stop at tcp"))
    }
}
