/// Fixed inputs the harness needs besides the fuzzer's bytes.
enum Seeds {
    /// The certificate a Windows Server 2008 R2 host presented in its TLS
    /// handshake (self-signed, RSA 2048, SHA-1), from the public capture
    /// captures/windows/nla_win7_win2k8r2.pcap (see docs/FUZZING.md).
    static let leafBase64 = """
        MIIC+jCCAeKgAwIBAgIQFu0qoElfJZ1PXZntraVw0TANBgkqhkiG9w0BAQUFADAmMSQwIgYDVQQDExtXSU4ySzhSMi5hd2FrZWNv
        ZGluZy5hdGguY3gwHhcNMTEwMjEyMjEzNzM1WhcNMjEwMjEyMDAwMDAwWjAmMSQwIgYDVQQDExtXSU4ySzhSMi5hd2FrZWNvZGlu
        Zy5hdGguY3gwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQD7VcaE0O46Bt27voazP/qElNBH/k55TlduX4opgZv3svR7
        zRTTOBi9VKxiya0+yc3iPSg43Y1AYgMll+BPFdM1GQFJj71nrh4j0BlzSsVMKahfiJzhGzPw37GXz0l1MrIc7p2F2B7o0e711ETH
        hEJQa3MQcEwz21KH/Mnw1/D8uL7fnlVCIoCS6HZmXTMfNTxuTjq7XdjWqlnSPXvbBroQ/01uV12a27N3b/Xg4d9Owk/eZl+IvuQO
        cxo5oCA21gfRJ72uEYGqW3uZcVv9u/VfQUnaRR1X46IFMRx1tnPdBOd77cY6AL23g3NE8v07KuWNtRlj4CqnFapC46PV3vGXAgMB
        AAGjJDAiMAsGA1UdDwQEAwIEMDATBgNVHSUEDDAKBggrBgEFBQcDATANBgkqhkiG9w0BAQUFAAOCAQEAfEMMWrsMchjCuzggpor1
        mVtYikRRYO1AgiODgu1RfGm5ytw1jcnQeSHNvfNLP4BXyDUj/5Uq0gGotjBQZcRqVSbW16QYNHaNnVxzmfS8P9/jHb0bfxx9sC9Q
        tEg4SwroNYOq5TBRy8JhZYeuhXdH9dHM7ImDhQ6L6yUvJfo1NVCfvTZyo/bu5rPomTbMiESFeC/c/bnda45A51hkI95Cnrr1AI2l
        N1XmWTsPrZsCE/yOSa7pIrCcdo41TeEqFKB+Qp4Bmris0JKnx4WPQ9iM0TCKpvQaBjSEI+GSiaU24Wl1V0M/7cB1dhkiWdHNKHXa
        9QI40lrDI3QsQMfx8a3fbA==
        """.filter { !$0.isWhitespace }
}
