import Catalogue

/// Finds codes in free text: a client dialog pasted whole ("Error code: 0x904",
/// "Extended error code: 0x7"), a FreeRDP log line
/// (`ERRCONNECT_CONNECT_TRANSPORT_FAILED [0x0002000D]`), or prose with names
/// and `0x` numbers in it. Bare decimal numbers count only behind a label:
/// free text is full of dates and times.
public struct TextScanner: Sendable {
    let catalogue: Catalogue

    public init(catalogue: Catalogue) {
        self.catalogue = catalogue
    }

    public func scan(_ text: String) -> [Query] {
        let tokens = Self.tokenize(text)
        var error: WrittenNumber?
        var extended: WrittenNumber?
        var others: [Query] = []
        var consumed = Set<Int>()

        for (i, token) in tokens.enumerated() where !consumed.contains(i) {
            let lower = token.lowercased()
            if lower == "code" || lower == "errorcode" {
                // "Error code: N" and "Extended error code: N".
                guard i + 1 < tokens.count, let number = WrittenNumber.parse(tokens[i + 1]),
                    number.family == nil
                else { continue }
                let before = (i >= 2 ? tokens[i - 2].lowercased() : "", i >= 1 ? tokens[i - 1].lowercased() : "")
                let isExtended = before.1 == "extended" || (before.0 == "extended" && before.1 == "error")
                let isError = lower == "errorcode" || before.1 == "error"
                guard isExtended || isError else { continue }
                if isExtended { if extended == nil { extended = number } } else if error == nil { error = number }
                consumed.insert(i + 1)
            } else if catalogue.isName(token) {
                others.append(.name(String(token)))
                // A log line writes the number after the name: keep only the name.
                if i + 1 < tokens.count, WrittenNumber.parse(tokens[i + 1]) != nil {
                    consumed.insert(i + 1)
                }
            } else if let number = WrittenNumber.parse(token),
                number.notation == .hex || number.family != nil
            {
                others.append(.number(number))
            }
        }

        var queries: [Query] = []
        switch (error, extended) {
        case let (error?, extended?): queries.append(.pair(error: error, extended: extended))
        case let (error?, nil): queries.append(.pair(error: error, extended: nil))
        case let (nil, extended?):
            queries.append(
                .number(
                    WrittenNumber(
                        value: extended.value, notation: extended.notation, family: .extended, text: extended.text)))
        case (nil, nil): break
        }
        for query in others where !queries.contains(query) {
            queries.append(query)
        }
        return queries
    }

    /// Words made of letters, digits, `_` and `:`; a trailing `:` is a label's
    /// punctuation and is dropped.
    static func tokenize(_ text: String) -> [Substring] {
        text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":")) }
            .map { token in
                var token = token
                while token.hasSuffix(":") { token = token.dropLast() }
                return token
            }
            .filter { !$0.isEmpty }
    }
}
