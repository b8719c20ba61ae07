import Foundation
import Testing

@testable import ProbeCore

@Suite struct AwaitingTests {
    /// JSON keeps the phrase reports have always shown, and reads it back.
    @Test func phraseRoundTrips() throws {
        for waiting in Awaiting.plain + [.channelJoinConfirm(1003)] {
            let json = try JSONEncoder().encode([waiting])
            #expect(String(decoding: json, as: UTF8.self) == "[\"\(waiting.description)\"]")
            #expect(try JSONDecoder().decode([Awaiting].self, from: json) == [waiting])
        }
    }

    @Test func unknownPhraseIsATypedError() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Awaiting].self, from: Data(#"["a server's mood"]"#.utf8)) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Awaiting].self, from: Data(#"["the MCS Channel Join Confirm for channel 70000"]"#.utf8))
        }
    }

    /// Each phrase names one wait, so a report's words say which it was.
    @Test func phrasesAreDistinct() {
        #expect(Set(Awaiting.plain.map(\.description)).count == Awaiting.plain.count)
    }

    /// A stage's wait and the record's wait belong to the same step.
    @Test func stagesShareTheRecordsWait() {
        #expect(CredSSPStage.Awaiting.challenge.shared == .ntlmChallenge)
        #expect(CredSSPStage.Awaiting.earlyAuthorization.step == .credssp)
        #expect(SessionStage.Awaiting.channelJoinConfirm(1004).shared.step == .channels)
        #expect(SessionStage.Awaiting.demandActive.step == .capabilities)
    }
}
