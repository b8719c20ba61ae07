import RDPWire
import Testing

/// Every strict prefix of a PDU must be refused with a WireError (never a crash).
func expectEveryPrefixThrows(
    _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation,
    _ decode: (ArraySlice<UInt8>) throws(WireError) -> Void
) {
    for length in 0..<bytes.count {
        #expect(throws: WireError.self, "prefix of \(length) bytes", sourceLocation: sourceLocation) {
            try decode(bytes[0..<length])
        }
    }
}

/// Prefixes of a TPKT frame with the TPKT length rewritten to match, so the
/// truncation reaches the inner decoders; they may succeed or throw, never crash.
func forEachTruncatedFrame(_ frame: [UInt8], _ body: ([UInt8]) -> Void) {
    for length in 7..<frame.count {
        var truncated = Array(frame.prefix(length))
        truncated[2] = UInt8(length >> 8)
        truncated[3] = UInt8(length & 0xFF)
        body(truncated)
    }
}

/// Deterministic byte mutations of a valid PDU; decoders must return or throw.
func forEachMutation(of bytes: [UInt8], count: Int = 2000, _ body: ([UInt8]) -> Void) {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    for _ in 0..<count {
        var mutated = bytes
        for _ in 0..<(1 + Int(next() % 4)) {
            let position = Int(next() % UInt64(mutated.count))
            switch next() % 3 {
            case 0: mutated[position] = UInt8(truncatingIfNeeded: next())
            case 1: mutated[position] = 0xFF
            default: mutated[position] = 0x00
            }
        }
        body(mutated)
    }
}

/// TPKT frames whose declared length is set to `length` (bigger than the frame).
func withTPKTLength(_ frame: [UInt8], _ length: UInt16) -> [UInt8] {
    var copy = frame
    copy[2] = UInt8(length >> 8)
    copy[3] = UInt8(length & 0xFF)
    return copy
}
