import Catalogue

/// Reads a number that has no entry from its shape: the disconnect reasons'
/// class byte, a family's documented ranges, and the NTSTATUS and HRESULT
/// layouts. Nothing here names a particular code.
struct StructuralReader: Sendable {
    let catalogue: Catalogue

    /// Readings in `families` (all when nil) that structure gives for `value`.
    func readings(for value: UInt64, in families: [FamilyID]?, role: Reading.Role? = nil) -> [Reading] {
        var readings: [Reading] = []
        for family in catalogue.families where families?.contains(family.family) ?? true {
            var notes: [String] = []
            var layer: Layer?
            // A class reading needs a sub-code: every documented value of a class has one
            // (0x104, 0x204, ...). A bare low byte such as 0x4 is not a class member.
            if value <= 0xFFFF, value > 0xFF, let rule = family.classes.first(where: { $0.lowByte.value == value & 0xFF }) {
                let subCode = value >> 8
                notes.append(
                    "Low byte \(CodeNumber.hex(value & 0xFF)) is the \(rule.layer.rawValue) class: \(rule.meaning) Sub-code \(CodeNumber.hex(subCode)) is not documented."
                )
                layer = rule.layer
            }
            for range in family.ranges where range.contains(value) {
                notes.append("In the range \(CodeNumber.hex(range.from.value))–\(CodeNumber.hex(range.to.value)): \(range.meaning)")
                layer = layer ?? range.layer
            }
            if family.family == .ntstatus, let shape = Self.ntstatusShape(value) { notes.append(shape) }
            if family.family == .sspi || family.family == .gateway, let shape = Self.hresultShape(value),
                Self.hresultFacility(value) == (family.family == .sspi ? 9 : 7)
            {
                notes.append(shape)
            }
            if !notes.isEmpty {
                readings.append(
                    Reading(
                        match: .structure, role: role, family: family, value: value,
                        structure: notes, layer: layer))
            }
        }
        return readings
    }

    /// NTSTATUS: severity in the top two bits, a customer bit, a 12-bit facility.
    static func ntstatusShape(_ value: UInt64) -> String? {
        guard value <= 0xFFFF_FFFF, value >> 30 == 0b11 else { return nil }
        let customer = (value >> 29) & 1 == 1
        let facility = (value >> 16) & 0xFFF
        return
            "Shaped as an NTSTATUS error: severity error, \(customer ? "customer-defined" : "Microsoft-defined"), facility \(CodeNumber.hex(facility)), code \(CodeNumber.hex(value & 0xFFFF))."
    }

    /// HRESULT: failure bit, 11-bit facility, 16-bit code.
    static func hresultShape(_ value: UInt64) -> String? {
        guard value <= 0xFFFF_FFFF, value >> 31 == 1, (value >> 29) & 1 == 0 else { return nil }
        let facility = hresultFacility(value)
        let names: [UInt64: String] = [7: "Win32", 9: "security (SSPI)", 0x1: "RPC", 0x2: "dispatch"]
        let facilityText = names[facility].map { "\($0) facility" } ?? "facility \(CodeNumber.hex(facility))"
        return "Shaped as a failure HRESULT: \(facilityText), code \(CodeNumber.hex(value & 0xFFFF)) (\(value & 0xFFFF) decimal)."
    }

    static func hresultFacility(_ value: UInt64) -> UInt64 { (value >> 16) & 0x7FF }
}
