// A CredSSP exchange between an independent implementation's client and a
// scripted server, as captured in the tests of the redemption RDP proxy
// (tests/core/RDP/nla/test_nla.cpp): user "Ulysse", domain "Ithaque",
// password "Pénélope", workstation "Télémaque", and the 16-byte stand-in
// public key "1245789652325415". The server speaks CredSSP version 2, so
// pubKeyAuth is the sealed key itself.
enum Captured {
    static let publicKey = Array("1245789652325415".utf8)
    static let password = "Pénélope"

    /// Client: TSRequest v6 carrying the NTLM NEGOTIATE (flags 0xe20882b7, Version 6.1.7601).
    static let negotiate = hex(
        """
        3037a003020106a130302e302ca02a04284e544c4d5353500001000000b78208
        e2000000002800000000000000280000000601b11d0000000f
        """)

    /// Server: TSRequest v2 carrying the CHALLENGE (Version 5.1.2600, WIN7 names, a timestamp).
    static let challenge = hex(
        """
        308188a003020102a18180307e307ca07a04784e544c4d535350000200000000
        00000038000000b78208e2b86cdaa6f0f6308d00000000000000004000400038
        0000000501280a0000000f01000800570049004e00370002000800570049004e
        00370003000800770069006e00370004000800770069006e0037000700080067
        950e5a4e5676d600000000
        """)

    /// Client: TSRequest v6 with the AUTHENTICATE (with MIC) and pubKeyAuth.
    static let authenticate = hex(
        """
        30820159a003020106a182012c3082012830820124a08201200482011c4e544c
        4d5353500003000000180018005800000070007000700000000e000e00e00000
        000c000c00ee00000012001200fa000000100010000c01000035a288e20601b1
        1d0000000f9d98e130dc7ace81a97a11147d5d73d034beb56eceec0a502d2963
        7fcc5ee718b86cdaa6f0f6308da641cc7a528e7ab3067d0be000d5f613010100
        000000000067950e5a4e5676d6b86cdaa6f0f6308d0000000001000800570049
        004e00370002000800570049004e00370003000800770069006e003700040008
        00770069006e0037000700080067950e5a4e5676d60000000000000000490074
        006800610071007500650055006c0079007300730065005400e9006c00e9006d
        00610071007500650044bc4d7a133f6b81db1d2b7bbf1e180fa3220420010000
        0089e2da481729b508000000002059273f08d0c2e4756610497bbd8df7
        """)

    /// Server: TSRequest v2 with its pubKeyAuth.
    static let serverPubKeyAuth = hex(
        """
        3029a003020102a322042001000000a2e05b50978e992700000000dca70bfe37
        453d1b0515ce560a54a1f1
        """)

    /// Client: TSRequest v6 with the sealed TSCredentials in authInfo.
    static let credentials = hex(
        """
        305ca003020106a255045301000000afad462a6a9df78801000000d54fc8d0bd
        8960e07160317accecc5bf234be5f9a58c2166a678dad1bdefa4fd47a6f156a5
        d9527292fa41a5b49d94fb0ee261bafcd5f3a7b533d5628d931854398ae7
        """)

    static let all: [(String, [UInt8])] = [
        ("negotiate", negotiate), ("challenge", challenge), ("authenticate", authenticate),
        ("server pubKeyAuth", serverPubKeyAuth), ("credentials", credentials),
    ]
}
