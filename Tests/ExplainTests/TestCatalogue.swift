import Catalogue

/// The catalogue as shipped, read from the source tree so the tests see
/// exactly what is committed.
enum TestCatalogue {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/ExplainTests/TestCatalogue.swift
        return parts.joined(separator: "/") + "/Sources/Catalogue/Resources/catalogue"
    }()

    static let shared: Catalogue = {
        do {
            return try Catalogue.load(directory: directory)
        } catch {
            fatalError("the shipped catalogue does not load: \(error)")
        }
    }()
}
