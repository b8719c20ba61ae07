import Catalogue

/// Tests write expected keys as they appear in reports (`"disconnect:0x904"`).
extension CatalogueKey: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        self = CatalogueKey(parsing: text) ?? CatalogueKey(FamilyID("invalid-key-in-test"), 0)
    }
}
