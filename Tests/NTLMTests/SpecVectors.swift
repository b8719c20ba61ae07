import NTLM

// MS-NLMP section 4.2: the common values (4.2.1) and the NTLMv2 example
// (4.2.4). The message bytes are the example's CHALLENGE_MESSAGE (4.2.4.3,
// server Version 6.0.6000) and AUTHENTICATE_MESSAGE (4.2.4.3, client Version
// 5.1.2600), as the specification prints them.
enum Spec {
    static let credentials = NTLMCredentials(user: "User", domain: "Domain", password: "Password")
    static let serverName = "Server"
    static let workstation = "COMPUTER"
    static let randomSessionKey = [UInt8](repeating: 0x55, count: 16)
    static let time = FileTime(rawValue: 0)
    static let clientChallenge = [UInt8](repeating: 0xaa, count: 8)
    static let serverChallenge = hex("0123456789abcdef")

    /// 4.2.4: NEGOTIATE_56 | KEY_EXCH | 128 | VERSION | TARGET_INFO | EXTENDED_SESSIONSECURITY |
    /// TARGET_TYPE_SERVER | ALWAYS_SIGN | NTLM | SEAL | SIGN | OEM | UNICODE.
    static let challengeFlags = NegotiateFlags(rawValue: 0xe28a_8233)
    /// The flags of the example's AUTHENTICATE_MESSAGE.
    static let authenticateFlags = NegotiateFlags(rawValue: 0xe288_8235)

    /// 4.2.4.1.3: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
    static let targetInfo = hex(
        """
        02000c0044006f006d00610069006e00
        01000c00530065007200760065007200
        00000000
        """)

    static let challengeMessage = hex(
        """
        4e544c4d53535000020000000c000c00
        3800000033828ae20123456789abcdef
        00000000000000002400240044000000
        060070170000000f5300650072007600
        6500720002000c0044006f006d006100
        69006e0001000c005300650072007600
        6500720000000000
        """)

    static let authenticateMessage = hex(
        """
        4e544c4d535350000300000018001800
        6c00000054005400840000000c000c00
        48000000080008005400000010001000
        5c00000010001000d8000000358288e2
        0501280a0000000f44006f006d006100
        69006e00550073006500720043004f00
        4d005000550054004500520086c35097
        ac9cec102554764a57cccc19aaaaaaaa
        aaaaaaaa68cd0ab851e51c96aabc927b
        ebef6a1c010100000000000000000000
        00000000aaaaaaaaaaaaaaaa00000000
        02000c0044006f006d00610069006e00
        01000c00530065007200760065007200
        0000000000000000c5dad2544fc97990
        94ce1ce90bc9d03e
        """)

    // 4.2.4.1.1, 4.2.4.1.2, 4.2.4.2.1, 4.2.4.2.2, 4.2.4.2.3.
    static let ntowfv2 = "0c868a403bfd7a93a3001ef22ef02e3f"
    static let sessionBaseKey = "8de40ccadbc14a82f15cb0ad0de95ca3"
    static let lmv2Response = "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"
    static let ntProofString = "68cd0ab851e51c96aabc927bebef6a1c"
    static let encryptedSessionKey = "c5dad2544fc9799094ce1ce90bc9d03e"

    // 4.2.4.4: keys, and GSS_WrapEx of "Plaintext" (UTF-16LE), sequence number 0.
    static let clientSealingKey = "59f600973cc4960a25480a7c196e4c58"
    static let clientSigningKey = "4788dc861b4782f35d43fd98fe1a2d39"
    static let plaintext = hex("50006c00610069006e007400650078007400")
    static let sealedPlaintext = "54e50165bf1936dc996020c1811b0f06fb5f"
    static let plaintextSignature = "010000007fb38ec5c55d497600000000"
}
