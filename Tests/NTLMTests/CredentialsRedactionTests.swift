import NTLM
import Testing

@Suite("Passwords stay out of text")
struct CredentialsRedactionTests {
    static let password = "S3cr3t-Pa55word!"

    @Test("description, debugDescription, dump and interpolation never show the password")
    func redacted() {
        let credentials = NTLMCredentials(user: "alice", domain: "CONTOSO", password: Self.password)
        var dumped = ""
        dump(credentials, to: &dumped)
        let texts = [
            String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped,
            String(describing: [credentials]), String(reflecting: Optional(credentials)),
        ]
        for text in texts {
            #expect(!text.contains(Self.password), "leaked in: \(text)")
            #expect(text.contains("alice"))
        }
        #expect(String(describing: credentials).contains("<redacted>"))
    }

    @Test("types that carry credentials inside do not leak them either")
    func nested() throws {
        let parameters = NTLMAuthenticateParameters(
            credentials: NTLMCredentials(user: "alice", domain: "CONTOSO", password: Self.password),
            negotiateMessage: [], challengeMessage: [], flags: [], workstation: "",
            clientChallenge: [], randomSessionKey: [], currentTime: FileTime(rawValue: 0)
        )
        #expect(!String(describing: parameters).contains(Self.password))
        #expect(!String(reflecting: parameters).contains(Self.password))
    }
}
