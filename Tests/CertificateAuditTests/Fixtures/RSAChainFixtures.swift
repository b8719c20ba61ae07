// RSA certificates made once with OpenSSL 3.0.19 (the private keys were thrown
// away): 1024-bit keys, which swift-certificates refuses, under 2048-bit and
// 1024-bit CAs, so rdpdoctor's own path check can be exercised end to end.
// Dates are fixed by these bytes; tests judge them at `RSAChainFixtures.during`.
//
//   leaf.ext: basicConstraints=critical,CA:FALSE / keyUsage=critical,digitalSignature,keyEncipherment
//             extendedKeyUsage=serverAuth / subjectAltName=DNS:legacy.example.test
//   inter.ext: basicConstraints=critical,CA:TRUE / keyUsage=critical,keyCertSign,cRLSign
//
//   openssl req -x509 -newkey rsa:2048 -sha256 -nodes -keyout rsaca.key \
//     -subj "/O=rdpdoctor tests/CN=rdpdoctor RSA Test CA" -days 3650 -set_serial 0x0B01 \
//     -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out rsaca.pem
//   openssl genrsa -out leaf1024.key 1024
//   openssl req -new -key leaf1024.key -subj "/O=rdpdoctor tests/CN=legacy.example.test" -out leaf1024.csr
//   openssl x509 -req -in leaf1024.csr -CA rsaca.pem -CAkey rsaca.key -set_serial 0x0B02 -days 365 -sha256 \
//     -extfile leaf.ext -out leaf1024.pem                       (and -set_serial 0x0B04 -sha1 -> leaf1024sha1.pem)
//
//   openssl req -x509 -newkey rsa:1024 -sha256 -nodes -keyout legacyca.key \
//     -subj "/O=rdpdoctor tests/CN=rdpdoctor Legacy CA" -days 3650 -set_serial 0x0C01 \
//     -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out legacyca.pem
//   openssl genrsa -out legacyleaf.key 1024
//   openssl req -new -key legacyleaf.key -subj "/O=rdpdoctor tests/CN=legacy.example.test" -out legacyleaf.csr
//   openssl x509 -req -in legacyleaf.csr -CA legacyca.pem -CAkey legacyca.key -set_serial 0x0C11 -days 365 -sha1 \
//     -extfile leaf.ext -out legacyleaf-sha1.pem          (0x0C12 -sha256, 0x0C13 -sha384, 0x0C14 -sha512)
//
//   openssl genrsa -out inter.key 1024
//   openssl req -new -key inter.key -subj "/O=rdpdoctor tests/CN=rdpdoctor Legacy Intermediate" -out inter.csr
//   openssl x509 -req -in inter.csr -CA rsaca.pem -CAkey rsaca.key -set_serial 0x0B03 -days 1825 -sha256 \
//     -extfile inter.ext -out inter.pem
//   openssl x509 -req -in leaf1024.csr -CA inter.pem -CAkey inter.key -set_serial 0x0D01 -days 365 -sha256 \
//     -extfile leaf.ext -out interleaf.pem
//
//   openssl req -new -key legacyleaf.key -subj "/O=rdpdoctor tests/CN=impostor.example.test" -out imp.csr
//   openssl x509 -req -in imp.csr -CA leaf1024.pem -CAkey leaf1024.key -set_serial 0x0E01 -days 365 -sha256 \
//     -extfile imp.ext -out impostor.pem              (imp.ext: basicConstraints=critical,CA:FALSE, EKU serverAuth)
//
//   openssl verify -CAfile rsaca.pem leaf1024.pem                          -> OK
//   openssl verify -CAfile legacyca.pem legacyleaf-sha256.pem              -> OK (all four)
//   openssl verify -CAfile rsaca.pem -untrusted inter.pem interleaf.pem    -> OK
//   openssl verify -CAfile rsaca.pem -untrusted leaf1024.pem impostor.pem  -> error 79: invalid CA certificate
//   openssl x509 -in NAME.pem -outform DER | base64 -w0
//   openssl x509 -in NAME.pem -noout -startdate -enddate   (then date -u -d "..." +%s)
enum RSAChainFixtures {
    /// O=rdpdoctor tests, CN=rdpdoctor RSA Test CA: 2048-bit RSA, self-signed (SHA-256), CA.
    /// notBefore=Dec  4 14:48:53 2026 GMT, notAfter=Dec  1 14:48:53 2036 GMT
    enum RSACA {
        static let base64 =
            "MIIDUzCCAjugAwIBAgICCwEwDQYJKoZIhvcNAQELBQAwOjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR4wHAYDVQQDDBVyZHBkb2N0b3IgUlNBIFRlc3QgQ0EwHhcNMjYxMjA0MTQ0ODUzWhcNMzYxMjAxMTQ0ODUzWjA6MRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxHjAcBgNVBAMMFXJkcGRvY3RvciBSU0EgVGVzdCBDQTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ1i6kGDl3HmLCWd/JN5EFzrf5VJlzy6NEagquBVS+KrHazGZe5FK8QYq64nfvcW0ZpGXLZ/vArW3BEWXv2sKGa+QDveli/B81u6/R5KwMjMLiEmi8QXDuKZsNHsyvkvvTgbal7GiQU/j7bf4T1iAZyynpCT6Uu11n3RqUXklIyZp8Q9FWH4orvhHYqlVgnW7VkCVl9/kCOCgAsRDBN+hBhcOHpeN2k4ArGOUAhV1t5pZ0gWE1rOFdjsglfkct/DYoBLyVlbsl7bbHjL1UJfHfHRUGvHQgqdfCthKtADMyK30n6J2VCn9VTrFHzRsHy5T7mQ7gZMxnz4n4U+EF8dJokCAwEAAaNjMGEwHQYDVR0OBBYEFHRAVUoFW/e8hSwe5j+/Kw2lBHBAMB8GA1UdIwQYMBaAFHRAVUoFW/e8hSwe5j+/Kw2lBHBAMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMA0GCSqGSIb3DQEBCwUAA4IBAQBgZyEaIz+Clwkqk2UfxRZNviyEuo6eFPLOz0cw29Lc+7Ilml0qfp5a5D3T+4Gzwzk5Sa8VSPo01mSCOT+brprWTqM0XUNpBAk2TVmLL/sfJXdOQI8PSi2aG15xdir6fSSxROJph5YTkjPFU9FRdZ6sHe4sCazsZSyjGLG/gMNKHJ4H/yNlssrBTLxxWtDU3UGxnAczEg7+jxSgaxTgcVkrTKTJLT/PsiCgwA+TbOIullamjxCogtFnhOPZIGXuATAIMu8Zgcx/dfxweb5rscshyFNPus8P50VOMJVpa1TxcIi1S0ITlGEal2ooUPAhQ3TZNJHE+2lU+NTBndzcbpSA"
        static let notBefore: Int64 = 1_796_395_733
        static let notAfter: Int64 = 2_111_755_733
    }

    /// CN=legacy.example.test: 1024-bit RSA leaf issued by rsaCA with SHA-256.
    /// notBefore=Dec  4 14:48:53 2026 GMT, notAfter=Dec  4 14:48:53 2027 GMT
    enum Leaf1024 {
        static let base64 =
            "MIIDATCCAemgAwIBAgICCwIwDQYJKoZIhvcNAQELBQAwOjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR4wHAYDVQQDDBVyZHBkb2N0b3IgUlNBIFRlc3QgQ0EwHhcNMjYxMjA0MTQ0ODUzWhcNMjcxMjA0MTQ0ODUzWjA4MRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxHDAaBgNVBAMME2xlZ2FjeS5leGFtcGxlLnRlc3QwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAKN7D75RqjfelJfeQejQEl8GUxscddfx5Fee0h08bs3sVPn55vsDll+TG3VE2gF22CWTXCSYS2+BtS2k9pwNfCnsakeGT8lKnh7VY3ZvOtfDpwmpvF6rNTFidwUuiAl4/p2UCEgGDUAIKNMEzRoYAl9Jm13K8lpaFMrXemy3NQBVAgMBAAGjgZYwgZMwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHgYDVR0RBBcwFYITbGVnYWN5LmV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUebGh4ahAT5IQ4eisltx9ufJ2ziMwHwYDVR0jBBgwFoAUdEBVSgVb97yFLB7mP78rDaUEcEAwDQYJKoZIhvcNAQELBQADggEBAJb69E2gH9bePKUIZaPshZxnT+8I0oni4cM+dP0abYOqpPC+pWh1luwBE4NtImny8KsQQPLBrvraAx7z9RyWFb+YCYgw8GfVZHqfmfjxk12Iffjyos2jNonZ3YNGRcPXMfR5Q7B+KyTzfU38uVRQZqUt57RK/VSCpOePCTRpChvnAVq2xVIkyoQ71/rYqg3rF9mzYrO9oLA1Jojwjn2yKYaSivaLIFuNj8hVRDMT1hJihJpIvG1vv0WvpiBi9K/EUlkwAfpkT9IIKaF3rOvZ09nVtx3evE8sbvER1DZ3jdQYFR1DxnxgAwkSIP5RCMoxc5u2kaYCKrftZ3CFGgXwyGs="
        static let notBefore: Int64 = 1_796_395_733
        static let notAfter: Int64 = 1_827_931_733
    }

    /// The same request issued by rsaCA with SHA-1.
    /// notBefore=Dec  4 14:49:23 2026 GMT, notAfter=Dec  4 14:49:23 2027 GMT
    enum Leaf1024SHA1 {
        static let base64 =
            "MIIDATCCAemgAwIBAgICCwQwDQYJKoZIhvcNAQEFBQAwOjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR4wHAYDVQQDDBVyZHBkb2N0b3IgUlNBIFRlc3QgQ0EwHhcNMjYxMjA0MTQ0OTIzWhcNMjcxMjA0MTQ0OTIzWjA4MRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxHDAaBgNVBAMME2xlZ2FjeS5leGFtcGxlLnRlc3QwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAKN7D75RqjfelJfeQejQEl8GUxscddfx5Fee0h08bs3sVPn55vsDll+TG3VE2gF22CWTXCSYS2+BtS2k9pwNfCnsakeGT8lKnh7VY3ZvOtfDpwmpvF6rNTFidwUuiAl4/p2UCEgGDUAIKNMEzRoYAl9Jm13K8lpaFMrXemy3NQBVAgMBAAGjgZYwgZMwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHgYDVR0RBBcwFYITbGVnYWN5LmV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUebGh4ahAT5IQ4eisltx9ufJ2ziMwHwYDVR0jBBgwFoAUdEBVSgVb97yFLB7mP78rDaUEcEAwDQYJKoZIhvcNAQEFBQADggEBADPDuiC1z7CD/tlWLj9c09jfqqBfGraEAfoMAEupRxdQVrqrkxgYT+Ii35emlAs5MBKmT918sL7YHRK2Wu77X9Khi95W3DwaDR+r4Soa9U8mfxAcF6I94sHaMGeEOEibut+V85oOuSg7H0BjpfKKcPSUiL9LvJtZFCm4JfEZEoUbStX9N0WxjmYZg0lD9z75R7S/6eXTtIULFd5NJMAF5A7829se4eewkSB8zMxQ/WlSIXUbFig+zxY/XGAvUuVsLgGHubMmyJk1pzYCMg7HLPneu+hCZncbNCSCS2OJa6DPcVJFCs6US0G23H7rx06CMmAVa+HTkQWC5qFu5kI2EJc="
        static let notBefore: Int64 = 1_796_395_763
        static let notAfter: Int64 = 1_827_931_763
    }

    /// O=rdpdoctor tests, CN=rdpdoctor Legacy CA: 1024-bit RSA, self-signed (SHA-256), CA.
    /// notBefore=Dec  4 14:49:00 2026 GMT, notAfter=Dec  1 14:49:00 2036 GMT
    enum LegacyCA {
        static let base64 =
            "MIICSjCCAbOgAwIBAgICDAEwDQYJKoZIhvcNAQELBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMB4XDTI2MTIwNDE0NDkwMFoXDTM2MTIwMTE0NDkwMFowODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC2GG8W6MUw4AN4zo2I2J4yuh1axsLlV0CsJ5YlX4JwpB4FJLgmRBQkqkZyv0md2CZ3pvXqvNuTe9+CGhZA/zTagowCrMytKSfS2CcDpW9h1hMC8OPgae3hpSHPK4BabFHBq2+AQN0Pm8x5PJd6N1WZpvC0Zbs62ZcY3w3e8TjuaQIDAQABo2MwYTAdBgNVHQ4EFgQUdEcvegK5ZBRFFAICIFnCU2fz+zwwHwYDVR0jBBgwFoAUdEcvegK5ZBRFFAICIFnCU2fz+zwwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwDQYJKoZIhvcNAQELBQADgYEArK1TSyT03Sez9tOjSyD16DhisGYn7ApFNrq7LJeVUEdE+dI7L6VTF8aVXKS0KXFBakbusCqZ9Tong5Cxz0OodLqg40HqcTtPKxusS4WBES+5fYK8aahXLm8KDj46zvJ6JtKRokG10h7mOoTJvphLQjAZEKtbUYCsNFIOrnRj/Z0="
        static let notBefore: Int64 = 1_796_395_740
        static let notAfter: Int64 = 2_111_755_740
    }

    /// CN=legacy.example.test (another 1024-bit key) issued by legacyCA with SHA-1.
    /// notBefore=Dec  4 14:49:08 2026 GMT, notAfter=Dec  4 14:49:08 2027 GMT
    enum LegacyLeafSHA1 {
        static let base64 =
            "MIICfjCCAeegAwIBAgICDBEwDQYJKoZIhvcNAQEFBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMB4XDTI2MTIwNDE0NDkwOFoXDTI3MTIwNDE0NDkwOFowODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNsZWdhY3kuZXhhbXBsZS50ZXN0MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9Se8rgYKfdWg5RLCLhXlthkGAe4W/R870rYaRV0D4SQY/WSmgD/XQr0kogjlkQL7jvFIC+ykvmlZp7QW0N2zgmTkxIWykhjA3Duw7HVqkhnZpNJglPAQk0/tSD/hEm0ly+VJofRCo6Xa4JPGEzcGCkYhzMCtCrAgXG9vIlmCyZQIDAQABo4GWMIGTMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB4GA1UdEQQXMBWCE2xlZ2FjeS5leGFtcGxlLnRlc3QwHQYDVR0OBBYEFPESshkVl7SBg9E51mkasrI7k2+8MB8GA1UdIwQYMBaAFHRHL3oCuWQURRQCAiBZwlNn8/s8MA0GCSqGSIb3DQEBBQUAA4GBAH3g6DncaZ6PGrQXCL9/7kjORlxyTnXPj3VB2o0XUaUCrbDhELqnoiHM7uKU2cbLxJQAEy3w/3GKqtLsNzY89eGP6AATfG/kHAuKhWEPE+YcI7ye2AvA8w8298RnGBcr5CKCwrCowkU+J6cFFrZKWVOgMFNB5Chrq1K9mfJIKs8i"
        static let notBefore: Int64 = 1_796_395_748
        static let notAfter: Int64 = 1_827_931_748
    }

    /// The same, SHA-256.
    /// notBefore=Dec  4 14:49:08 2026 GMT, notAfter=Dec  4 14:49:08 2027 GMT
    enum LegacyLeafSHA256 {
        static let base64 =
            "MIICfjCCAeegAwIBAgICDBIwDQYJKoZIhvcNAQELBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMB4XDTI2MTIwNDE0NDkwOFoXDTI3MTIwNDE0NDkwOFowODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNsZWdhY3kuZXhhbXBsZS50ZXN0MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9Se8rgYKfdWg5RLCLhXlthkGAe4W/R870rYaRV0D4SQY/WSmgD/XQr0kogjlkQL7jvFIC+ykvmlZp7QW0N2zgmTkxIWykhjA3Duw7HVqkhnZpNJglPAQk0/tSD/hEm0ly+VJofRCo6Xa4JPGEzcGCkYhzMCtCrAgXG9vIlmCyZQIDAQABo4GWMIGTMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB4GA1UdEQQXMBWCE2xlZ2FjeS5leGFtcGxlLnRlc3QwHQYDVR0OBBYEFPESshkVl7SBg9E51mkasrI7k2+8MB8GA1UdIwQYMBaAFHRHL3oCuWQURRQCAiBZwlNn8/s8MA0GCSqGSIb3DQEBCwUAA4GBAKSCgEW+3MIqXwDZm4UVUI2SP4zfUq7+bZ0H5GjF5iIdNL6qliiPKgBZcQsubKWPnedCDoBblN3Psq8txGq3ywyF3NSG6Zf3ioNR2tgALB7z4pTZ/IZHE/Qb9JGPZn6ok1M2CCVhjLYdXDB8XV6Jdrgv7+GV3KwkSO+xX9ALFfBK"
        static let notBefore: Int64 = 1_796_395_748
        static let notAfter: Int64 = 1_827_931_748
    }

    /// The same, SHA-384.
    /// notBefore=Dec  4 14:49:08 2026 GMT, notAfter=Dec  4 14:49:08 2027 GMT
    enum LegacyLeafSHA384 {
        static let base64 =
            "MIICfjCCAeegAwIBAgICDBMwDQYJKoZIhvcNAQEMBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMB4XDTI2MTIwNDE0NDkwOFoXDTI3MTIwNDE0NDkwOFowODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNsZWdhY3kuZXhhbXBsZS50ZXN0MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9Se8rgYKfdWg5RLCLhXlthkGAe4W/R870rYaRV0D4SQY/WSmgD/XQr0kogjlkQL7jvFIC+ykvmlZp7QW0N2zgmTkxIWykhjA3Duw7HVqkhnZpNJglPAQk0/tSD/hEm0ly+VJofRCo6Xa4JPGEzcGCkYhzMCtCrAgXG9vIlmCyZQIDAQABo4GWMIGTMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB4GA1UdEQQXMBWCE2xlZ2FjeS5leGFtcGxlLnRlc3QwHQYDVR0OBBYEFPESshkVl7SBg9E51mkasrI7k2+8MB8GA1UdIwQYMBaAFHRHL3oCuWQURRQCAiBZwlNn8/s8MA0GCSqGSIb3DQEBDAUAA4GBAIbumokmB63Gb2QvjipNiZie4eHu6Y/tSFMA01HONM4VoLCNL3YE7jUu4FEkDpV13sSouzObnjtEQl4Z1JTjPNcT6eMpn2nm3xlK0qzS9eMveMVO7k/QKFt0NIyWiyofFk/GXa3uxHPXuaU0d1WAy94wiI0sGftjtCimMvSIxcEm"
        static let notBefore: Int64 = 1_796_395_748
        static let notAfter: Int64 = 1_827_931_748
    }

    /// The same, SHA-512.
    /// notBefore=Dec  4 14:49:08 2026 GMT, notAfter=Dec  4 14:49:08 2027 GMT
    enum LegacyLeafSHA512 {
        static let base64 =
            "MIICfjCCAeegAwIBAgICDBQwDQYJKoZIhvcNAQENBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNyZHBkb2N0b3IgTGVnYWN5IENBMB4XDTI2MTIwNDE0NDkwOFoXDTI3MTIwNDE0NDkwOFowODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNsZWdhY3kuZXhhbXBsZS50ZXN0MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9Se8rgYKfdWg5RLCLhXlthkGAe4W/R870rYaRV0D4SQY/WSmgD/XQr0kogjlkQL7jvFIC+ykvmlZp7QW0N2zgmTkxIWykhjA3Duw7HVqkhnZpNJglPAQk0/tSD/hEm0ly+VJofRCo6Xa4JPGEzcGCkYhzMCtCrAgXG9vIlmCyZQIDAQABo4GWMIGTMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB4GA1UdEQQXMBWCE2xlZ2FjeS5leGFtcGxlLnRlc3QwHQYDVR0OBBYEFPESshkVl7SBg9E51mkasrI7k2+8MB8GA1UdIwQYMBaAFHRHL3oCuWQURRQCAiBZwlNn8/s8MA0GCSqGSIb3DQEBDQUAA4GBAKZY4KnUcxlsfNlh/hgx0hefzf0MEYsHOUXeaJNZbs1/neHJcdcUtR6Vv64ypi5fdvs9Nv6J6eikr37SP4K/7411CEURZrmR2cgWzQWD1yMjYgaz8aGxb4bwrKhzdDC5Nq2j6atN68/8zx53h96wfQ7jmL7IZ/iqG4dURLRmO2cf"
        static let notBefore: Int64 = 1_796_395_748
        static let notAfter: Int64 = 1_827_931_748
    }

    /// O=rdpdoctor tests, CN=rdpdoctor Legacy Intermediate: 1024-bit RSA CA issued by rsaCA.
    /// notBefore=Dec  4 14:49:00 2026 GMT, notAfter=Dec  3 14:49:00 2031 GMT
    enum Intermediate {
        static let base64 =
            "MIIC1zCCAb+gAwIBAgICCwMwDQYJKoZIhvcNAQELBQAwOjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR4wHAYDVQQDDBVyZHBkb2N0b3IgUlNBIFRlc3QgQ0EwHhcNMjYxMjA0MTQ0OTAwWhcNMzExMjAzMTQ0OTAwWjBCMRgwFgYDVQQKDA9yZHBkb2N0b3IgdGVzdHMxJjAkBgNVBAMMHXJkcGRvY3RvciBMZWdhY3kgSW50ZXJtZWRpYXRlMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDuSyGZF5k0kj/XQkVGzYnJX+RcZU8sWnLrwpv2PKnn2zkFy+lEep1zuuj33/orgA9rE9wCKcRg0QY3enXrcKg53fgephNvxgycUbALo92OqJQPQsM45BP9TJo2c6KmaRpK4e1PybNSm+MNCisE1Q3y/N22VtmK8uz1AGMWr4AKQQIDAQABo2MwYTAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUnAgCmywLRRnQGtmIklPKT+JAllowHwYDVR0jBBgwFoAUdEBVSgVb97yFLB7mP78rDaUEcEAwDQYJKoZIhvcNAQELBQADggEBAEGGDXj9Dx8y7BVzCBPMc7VKugwu3eakb9xgUVZWkoKmC4mWGn7rYQYlyr3ZlopdlBjdE/IsYrqZPVwnPK+x6xdme8MARvK4hA4CIkNP1h8kYkg5o4wIEUk3+X3C8YDrJCTyMS69Azt4WHvtUALGsnUA1O6pWLZX7lX8nWQHPT3R9unDjyND+Sm1sWoHolbFYr1lwcgMQ2bKekTbOpr0zymG4cAIpACrW0T83PxlVveeDKLZLjs2uohE3mOXyG/QGXJvnYXRqgCjhnJbfJSq9E3bg16nlgxDfDfvim1dmjgqTgkjKmlBfTMRCRwVCidNFA+G6vOLEFgHuSwoVpYZiyk="
        static let notBefore: Int64 = 1_796_395_740
        static let notAfter: Int64 = 1_954_075_740
    }

    /// CN=legacy.example.test (leaf1024's key) issued by intermediate.
    /// notBefore=Dec  4 14:49:00 2026 GMT, notAfter=Dec  4 14:49:00 2027 GMT
    enum IntermediateLeaf {
        static let base64 =
            "MIICiDCCAfGgAwIBAgICDQEwDQYJKoZIhvcNAQELBQAwQjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMSYwJAYDVQQDDB1yZHBkb2N0b3IgTGVnYWN5IEludGVybWVkaWF0ZTAeFw0yNjEyMDQxNDQ5MDBaFw0yNzEyMDQxNDQ5MDBaMDgxGDAWBgNVBAoMD3JkcGRvY3RvciB0ZXN0czEcMBoGA1UEAwwTbGVnYWN5LmV4YW1wbGUudGVzdDCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkCgYEAo3sPvlGqN96Ul95B6NASXwZTGxx11/HkV57SHTxuzexU+fnm+wOWX5MbdUTaAXbYJZNcJJhLb4G1LaT2nA18KexqR4ZPyUqeHtVjdm8618OnCam8Xqs1MWJ3BS6ICXj+nZQISAYNQAgo0wTNGhgCX0mbXcryWloUytd6bLc1AFUCAwEAAaOBljCBkzAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEFBQcDATAeBgNVHREEFzAVghNsZWdhY3kuZXhhbXBsZS50ZXN0MB0GA1UdDgQWBBR5saHhqEBPkhDh6KyW3H258nbOIzAfBgNVHSMEGDAWgBScCAKbLAtFGdAa2YiSU8pP4kCWWjANBgkqhkiG9w0BAQsFAAOBgQA74eBbHI8z6hBOf2IYc9nf6Z47fbc0H0KMRX1+Xsdd1I3cHqAmi1z947E/lyFZJZNWgDg+4yGCQlxYMKbk80jzbYFQuis+QtVR6/eXNryPLkrxl9A72y41FD3pMBaX6+CdaR8KOdx4uVgo82w6uetkPwbqNdK711jPcQTQ0y+PdA=="
        static let notBefore: Int64 = 1_796_395_740
        static let notAfter: Int64 = 1_827_931_740
    }

    /// CN=impostor.example.test "issued" by leaf1024, which is no CA (CA:FALSE, no keyCertSign).
    /// notBefore=Dec  4 14:49:00 2026 GMT, notAfter=Dec  4 14:49:00 2027 GMT
    enum Impostor {
        static let base64 =
            "MIICTjCCAbegAwIBAgICDgEwDQYJKoZIhvcNAQELBQAwODEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMRwwGgYDVQQDDBNsZWdhY3kuZXhhbXBsZS50ZXN0MB4XDTI2MTIwNDE0NDkwMFoXDTI3MTIwNDE0NDkwMFowOjEYMBYGA1UECgwPcmRwZG9jdG9yIHRlc3RzMR4wHAYDVQQDDBVpbXBvc3Rvci5leGFtcGxlLnRlc3QwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAL1J7yuBgp91aDlEsIuFeW2GQYB7hb9HzvSthpFXQPhJBj9ZKaAP9dCvSSiCOWRAvuO8UgL7KS+aVmntBbQ3bOCZOTEhbKSGMDcO7DsdWqSGdmk0mCU8BCTT+1IP+ESbSXL5Umh9EKjpdrgk8YTNwYKRiHMwK0KsCBcb28iWYLJlAgMBAAGjZTBjMAwGA1UdEwEB/wQCMAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFPESshkVl7SBg9E51mkasrI7k2+8MB8GA1UdIwQYMBaAFHmxoeGoQE+SEOHorJbcfbnyds4jMA0GCSqGSIb3DQEBCwUAA4GBAFCaOVuc4WgWtT9EQ0LkxjKjXipHTbTQsqbrXgCMob20Jb61M+PIb+vgN8Zi+BDxLZ5nAzrmpjTGHxl0Jhkip6FsvStJrTVdPZYEJrY1gLLjmdF1nj/cIi5XNr6pAJhRt5EqTyLhGtw6+TxqsevTTV9RjKxfaO+FUkjRMidChc5o"
        static let notBefore: Int64 = 1_796_395_740
        static let notAfter: Int64 = 1_827_931_740
    }

    static let rsaCA = TestPKI.base64(RSACA.base64)
    static let leaf1024 = TestPKI.base64(Leaf1024.base64)
    static let leaf1024SHA1 = TestPKI.base64(Leaf1024SHA1.base64)
    static let legacyCA = TestPKI.base64(LegacyCA.base64)
    static let legacyLeafSHA1 = TestPKI.base64(LegacyLeafSHA1.base64)
    static let legacyLeafSHA256 = TestPKI.base64(LegacyLeafSHA256.base64)
    static let legacyLeafSHA384 = TestPKI.base64(LegacyLeafSHA384.base64)
    static let legacyLeafSHA512 = TestPKI.base64(LegacyLeafSHA512.base64)
    static let intermediate = TestPKI.base64(Intermediate.base64)
    static let intermediateLeaf = TestPKI.base64(IntermediateLeaf.base64)
    static let impostor = TestPKI.base64(Impostor.base64)

    static let day: Int64 = 86_400
    /// Thirty days after the last notBefore: inside every validity period.
    static let during = LegacyLeafSHA1.notBefore + 30 * day
}
