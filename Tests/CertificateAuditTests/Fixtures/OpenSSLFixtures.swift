// Certificates made with OpenSSL 3.0 (the private keys were thrown away).
// RSA key generation lives in _CryptoExtras, which this test target does not
// depend on, and swift-certificates refuses 1024-bit RSA outright, so these
// two cannot be generated inside the tests.
// Expected values below are what openssl printed for the same files.

enum OpenSSLFixtures {
    /// openssl req -x509 -newkey rsa:1024 -sha1 -nodes -keyout rsa1024.key \
    ///   -subj "/CN=LEGACY-RDP" -days 3650 -set_serial 0x1F2E3D \
    ///   -addext "extendedKeyUsage=serverAuth,1.3.6.1.4.1.311.54.1.2" -out rsa1024.pem
    /// openssl x509 -in rsa1024.pem -outform DER | base64 -w0
    enum RSA1024SHA1 {
        static let base64 =
            "MIICFjCCAX+gAwIBAgIDHy49MA0GCSqGSIb3DQEBBQUAMBUxEzARBgNVBAMMCkxFR0FDWS1SRFAwHhcNMjYxMTIxMTE1MTQ2WhcNMzYxMTE4MTE1MTQ2WjAVMRMwEQYDVQQDDApMRUdBQ1ktUkRQMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDg2soDRb5VgyysU/FDUpiuYy2vELGoY2J3xojsbDoEZqCWFcDhGo8yfEfDnJyGPneXZa8/rs7623MKmzRSWwnACr6JBRB9fttLxfm5KYV8F6SI8kEOtMs8Xx0/YCr6b1/GufNHOu989ev5LH7oWn3uWFkAZkzigzKrKjyF+xWF9wIDAQABo3QwcjAdBgNVHQ4EFgQUr2NgtyXHGfQNHfGSMjExzBq25YkwHwYDVR0jBBgwFoAUr2NgtyXHGfQNHfGSMjExzBq25YkwDwYDVR0TAQH/BAUwAwEB/zAfBgNVHSUEGDAWBggrBgEFBQcDAQYKKwYBBAGCNzYBAjANBgkqhkiG9w0BAQUFAAOBgQBT8PxVmp1fEOKVSYf4QyJzPCf4RDrHUzv6+kDWkLhlO/BLFDXYKKQutPzF+nl1dyoytnlBso+hg1O9sUUuT2/yalOnTTRyOOgn9WoMKeJLY0GhXlK5Phn4yfiJm6OzqOkJbZeSrWTelPjYJKdMBXqMK3L0uheRMmJTuylP/fWxiQ=="
        /// openssl x509 -in rsa1024.pem -noout -fingerprint -sha256
        static let sha256Fingerprint =
            "60:1D:D3:6E:18:49:1E:D4:8C:C3:AC:3D:69:C5:D4:F9:3B:24:3D:03:8C:0A:ED:6D:18:7B:B8:CB:0E:A0:60:D9"
        /// openssl x509 -in rsa1024.pem -noout -fingerprint -sha1
        static let sha1Fingerprint = "1B:52:2B:E6:DC:A0:D6:1A:BA:05:90:79:13:40:60:26:FB:30:76:FF"
        /// openssl x509 -in rsa1024.pem -noout -pubkey | openssl rsa -pubin -RSAPublicKey_out -outform DER | openssl dgst -sha256
        static let rsaPublicKeySHA256 = "67FE1A7BA207C23C44EC3E14D7245F956F0F1C59D8C2BD9D43483399260332D4"
        /// notBefore=Nov 21 11:51:46 2026 GMT, notAfter=Nov 18 11:51:46 2036 GMT (date -u -d ... +%s)
        static let notBefore: Int64 = 1_795_261_906
        static let notAfter: Int64 = 2_110_621_906
    }

    /// openssl req -x509 -newkey rsa:2048 -sha1 -nodes -keyout rsa2048.key \
    ///   -subj "/O=rdpdoctor tests/CN=sha1.example.test" -days 3650 -set_serial 4660 \
    ///   -addext "subjectAltName=DNS:sha1.example.test,IP:192.0.2.7" -out sha1rsa2048.pem
    /// openssl x509 -in sha1rsa2048.pem -outform DER | base64 -w0
    enum RSA2048SHA1 {
        static let base64 =
            "MIIDXzCCAkegAwIBAgICEjQwDQYJKoZIhvcNAQEFBQAwNjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRowGAYDVQQDDBFzaGExLmV4YW1wbGUudGVzdDAeFw0yNjExMjExMTUxNDdaFw0zNjExMTgxMTUxNDdaMDYxGDAWBgNVBAoMD3JkcGRvY3RvciB0ZXN0czEaMBgGA1UEAwwRc2hhMS5leGFtcGxlLnRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCZvxU96e0+YkB4DTRhkGojwdP25heM5tMUT5TS5D/B15XNzqJuy+QPWZBgXEML8vYfp0/op4i0zI2pk5HAeISxylP2KJPLPYU2srA9d9Uqt0PjjoioCerxDG+hllsNaNFpVqK4FrxuIUEjntN6UcSaQsHdG043h3vyttWYnWPC40dv4cb8jKiuzc0cNATKxCHL5eq/BYNvv8DeSnSlvULO2xUntvLGBp6NHm0aubrrNvGnKpZVqnZf5NlMXD8MKKL8jUkxsOiONQIgdSbkLRmj+26OoZ+vh0SCpkyPU97yEba4TgSiKMGYG8rew0K/1nkiu/vHIIzsmfyQxOPZfIFjAgMBAAGjdzB1MB0GA1UdDgQWBBQqHpQ7C11VOTnCFXksVmEf7tNWVjAfBgNVHSMEGDAWgBQqHpQ7C11VOTnCFXksVmEf7tNWVjAPBgNVHRMBAf8EBTADAQH/MCIGA1UdEQQbMBmCEXNoYTEuZXhhbXBsZS50ZXN0hwTAAAIHMA0GCSqGSIb3DQEBBQUAA4IBAQBAAU6UimA8Z4RtywNp9OLopOX19VOhOLiFdDCKhOmTLWxhBYKmJkPP5GICGOhUyOCx7r+S9pmqiAE7hgOMUrj9bAYRNyS32eV+zJxKIF0pQxp8+YJU2AFR0XIhB54xUu4BoudGKFAxii4M42TfmnySMBfgbBtUw0BaBX6aJFVx+j60PxKDOXqYi590jzcr/wVOSj5cA+nvaUOnXRReSYLpceiW6hSQrQKS1X+AGaKDZpjMwzrSQlujIHaQBCPi27GELRg6BEEZDGCKHgdiFX1nV3uhGMtX1OyjKWpq5/Ze/7a/V52QYP+CvPvrj8jm/XKP0t7N4x+O/QP7HPm318Px"
        static let sha256Fingerprint =
            "B2:1B:C7:2E:D7:8E:FD:7A:6F:CA:78:FF:B8:09:59:A0:FD:35:AC:6F:46:99:26:D6:74:4D:C7:47:55:6C:8E:5A"
        static let sha1Fingerprint = "91:E6:2E:CC:11:6C:AD:E1:71:05:F9:56:76:64:C9:1F:9C:DE:C2:EC"
        static let rsaPublicKeySHA256 = "A5C452CF844BE3A415E376EBE5815637A2EFFF3A2E8927287B408E7BD2A3B517"
        /// notBefore=Nov 21 11:51:47 2026 GMT, notAfter=Nov 18 11:51:47 2036 GMT
        static let notBefore: Int64 = 1_795_261_907
        static let notAfter: Int64 = 2_110_621_907
    }
}
