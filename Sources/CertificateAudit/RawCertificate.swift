import SwiftASN1

/// A certificate read field by field with swift-asn1 alone. This path works
/// where swift-certificates refuses (RSA keys under 2048 bits, MD5 or DSA
/// signatures), which is exactly what old RDP hosts present.
struct RawCertificate {
    /// RFC 5280 numbering: 1, 2 or 3.
    var version: Int
    var serialNumber: ArraySlice<UInt8>
    /// AlgorithmIdentifier inside TBSCertificate; must equal the outer one.
    var innerSignatureAlgorithm: ASN1Node
    var issuer: ASN1Node
    var subject: ASN1Node
    var notBefore: Int64
    var notAfter: Int64
    var publicKeyAlgorithm: ASN1Node
    var subjectPublicKey: ArraySlice<UInt8>
    /// The Extension SEQUENCEs, unparsed: each is read on its own later.
    var extensions: [ASN1Node]
    var signatureAlgorithm: ASN1Node
    /// The TBSCertificate as encoded: the bytes the issuer signed.
    var tbsCertificate: ArraySlice<UInt8>
    /// The whole SubjectPublicKeyInfo, for crypto libraries that take it as is.
    var subjectPublicKeyInfo: ASN1Node
    /// The signature octets; nil when the BIT STRING is unreadable or not
    /// whole octets (then no signature check can pass).
    var signatureValue: ArraySlice<UInt8>?

    /// Reads `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
    init(der element: ArraySlice<UInt8>) throws(FieldError) {
        let root: ASN1Node
        do {
            root = try DER.parse(element)
        } catch {
            throw FieldError(kind: .malformedCertificate, detail: "not valid DER: \(Self.describe(error))")
        }
        guard root.identifier == .sequence, let parts = root.children else {
            throw FieldError(kind: .malformedCertificate, detail: "the certificate is not a SEQUENCE")
        }
        var iterator = parts.makeIterator()
        guard let tbs = iterator.next(), let outerAlgorithm = iterator.next(), let signature = iterator.next(),
            iterator.next() == nil
        else {
            throw FieldError(kind: .malformedCertificate, detail: "expected exactly tbsCertificate, signatureAlgorithm, signatureValue")
        }
        guard tbs.identifier == .sequence, let tbsFields = tbs.children else {
            throw FieldError(kind: .malformedCertificate, detail: "tbsCertificate is not a SEQUENCE")
        }
        guard outerAlgorithm.identifier == .sequence else {
            throw FieldError.malformed("signatureAlgorithm", "not an AlgorithmIdentifier SEQUENCE")
        }
        guard signature.identifier == .bitString else {
            throw FieldError.malformed("signatureValue", "not a BIT STRING")
        }
        signatureAlgorithm = outerAlgorithm
        tbsCertificate = tbs.encodedBytes
        signatureValue = (try? ASN1BitString(derEncoded: signature)).flatMap { $0.paddingBits == 0 ? $0.bytes : nil }
        var fields = tbsFields.makeIterator()
        var next = fields.next()

        // version [0] EXPLICIT INTEGER DEFAULT v1
        version = 1
        if let node = next, node.isContextTag(0) {
            guard let inner = node.firstChild,
                let value = try? Int(derEncoded: inner), (0...2).contains(value)
            else { throw FieldError.malformed("version", "unreadable or out of range") }
            version = value + 1
            next = fields.next()
        }
        // serialNumber: taken as raw content octets; some hosts write non-minimal
        // or negative serials that strict INTEGER decoding rejects.
        guard let serialNode = next, serialNode.identifier == .integer, let serial = serialNode.primitiveBytes,
            !serial.isEmpty
        else { throw FieldError.malformed("serialNumber", "missing or not an INTEGER") }
        serialNumber = serial
        innerSignatureAlgorithm = try Self.take(&fields, .sequence, "signature")
        issuer = try Self.take(&fields, .sequence, "issuer")
        (notBefore, notAfter) = try Self.validity(Self.take(&fields, .sequence, "validity"))
        subject = try Self.take(&fields, .sequence, "subject")
        subjectPublicKeyInfo = try Self.take(&fields, .sequence, "subjectPublicKeyInfo")
        (publicKeyAlgorithm, subjectPublicKey) = try Self.subjectPublicKeyInfo(subjectPublicKeyInfo)

        // issuerUniqueID [1], subjectUniqueID [2]: skipped; extensions [3].
        extensions = []
        while let node = fields.next() {
            if node.isContextTag(1) || node.isContextTag(2) { continue }
            guard node.isContextTag(3), let list = node.firstChild, list.identifier == .sequence,
                let items = list.children
            else { throw FieldError.malformed("extensions", "unexpected element after subjectPublicKeyInfo") }
            extensions = Array(items)
        }
    }

    private static func take(
        _ fields: inout ASN1NodeCollection.Iterator, _ identifier: ASN1Identifier, _ name: String
    ) throws(FieldError) -> ASN1Node {
        guard let node = fields.next() else { throw FieldError.malformed(name, "missing") }
        guard node.identifier == identifier else {
            throw FieldError.malformed(name, "unexpected tag \(node.identifier)")
        }
        return node
    }

    private static func validity(_ node: ASN1Node) throws(FieldError) -> (Int64, Int64) {
        guard let times = node.children.map(Array.init), times.count == 2 else {
            throw FieldError.malformed("validity", "expected notBefore and notAfter")
        }
        guard let notBefore = time(times[0]) else { throw FieldError.malformed("notBefore", "not a UTCTime or GeneralizedTime") }
        guard let notAfter = time(times[1]) else { throw FieldError.malformed("notAfter", "not a UTCTime or GeneralizedTime") }
        return (notBefore, notAfter)
    }

    /// Seconds since the epoch; fractional seconds are dropped.
    private static func time(_ node: ASN1Node) -> Int64? {
        if node.identifier == .utcTime, let t = try? UTCTime(derEncoded: node) {
            return CivilTime.seconds(year: t.year, month: t.month, day: t.day, hours: t.hours, minutes: t.minutes, seconds: t.seconds)
        }
        if node.identifier == .generalizedTime, let t = try? GeneralizedTime(derEncoded: node) {
            return CivilTime.seconds(year: t.year, month: t.month, day: t.day, hours: t.hours, minutes: t.minutes, seconds: t.seconds)
        }
        return nil
    }

    private static func subjectPublicKeyInfo(_ node: ASN1Node) throws(FieldError) -> (ASN1Node, ArraySlice<UInt8>) {
        guard let parts = node.children.map(Array.init), parts.count == 2, parts[0].identifier == .sequence,
            parts[1].identifier == .bitString
        else { throw FieldError.malformed("subjectPublicKeyInfo", "expected algorithm and BIT STRING") }
        guard let key = try? ASN1BitString(derEncoded: parts[1]) else {
            throw FieldError.malformed("subjectPublicKey", "invalid BIT STRING")
        }
        return (parts[0], key.bytes)
    }

    /// ASN1Error's description carries source locations; keep the message short.
    static func describe(_ error: any Error) -> String {
        var text = String(describing: error)
        if error is ASN1Error, let lastSpace = text.lastIndex(of: " ") {
            text = String(text[..<lastSpace])  // drop "File.swift:123"
        }
        return text.hasPrefix("ASN1Error.") ? String(text.dropFirst("ASN1Error.".count)) : text
    }
}
