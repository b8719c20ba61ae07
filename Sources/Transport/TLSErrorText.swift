import NIOSSL

/// Short words for BoringSSL's handshake errors: the report needs "the server
/// sent a protocol_version alert", not a source path and an error number.
enum TLSErrorText {
    static func describe(_ error: any Error) -> String {
        let raw = String(describing: error)
        // BoringSSL formats reasons as "error:XXXXXXXX:SSL routines:OPENSSL_internal:REASON at file:line".
        let reasons = raw.split(separator: ":").compactMap { part -> String? in
            let word = part.split(separator: " ").first.map(String.init) ?? ""
            return word.count > 3 && word.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }) && word.contains("_") ? word : nil
        }
        guard let reason = reasons.last else { return raw.count > 200 ? String(raw.prefix(200)) + "…" : raw }
        return phrase(reason)
    }

    static func phrase(_ reason: String) -> String {
        if reason.hasPrefix("TLSV1_ALERT_") || reason.hasPrefix("SSLV3_ALERT_") {
            let alert = reason.split(separator: "_").dropFirst(2).joined(separator: "_").lowercased()
            return "the server sent a TLS \(alert) alert (\(reason))"
        }
        let known: [String: String] = [
            "UNSUPPORTED_PROTOCOL": "no TLS version in common (UNSUPPORTED_PROTOCOL)",
            "WRONG_VERSION_NUMBER": "the server answered with a different TLS version or not with TLS (WRONG_VERSION_NUMBER)",
            "NO_SHARED_CIPHER": "no cipher suite in common (NO_SHARED_CIPHER)",
            "NO_CIPHERS_AVAILABLE": "no cipher suite usable for this TLS version (NO_CIPHERS_AVAILABLE)",
            "HANDSHAKE_FAILURE_ON_CLIENT_HELLO": "the server rejected the client hello (HANDSHAKE_FAILURE_ON_CLIENT_HELLO)",
            "WRONG_CIPHER_RETURNED": "the server chose a cipher suite not offered (WRONG_CIPHER_RETURNED)",
        ]
        return known[reason] ?? "TLS error \(reason)"
    }
}
