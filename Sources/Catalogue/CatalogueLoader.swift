#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why the catalogue could not be loaded: the message names the file.
public struct CatalogueError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension Catalogue {
    /// Loads the catalogue the program carries (EmbeddedCatalogue.swift, made
    /// from Resources/catalogue by scripts/embed-catalogue.py), so a binary
    /// copied anywhere still explains. `RDPDOCTOR_CATALOGUE` may name another
    /// directory of family files.
    public static func shipped() throws -> Catalogue {
        if let override = ProcessInfo.processInfo.environment["RDPDOCTOR_CATALOGUE"], !override.isEmpty {
            return try load(directory: override)
        }
        return try load(files: embeddedFiles.map { ($0.name, Data($0.json.utf8)) })
    }

    /// The shipped catalogue, read once per process; empty in the one case it
    /// cannot be read (a broken `RDPDOCTOR_CATALOGUE` override: `explain`
    /// reports that itself, and CatalogueTests prove the embedded one decodes).
    public static let current: Catalogue = (try? shipped()) ?? Catalogue(families: [])

    /// Loads every `*.json` file of `directory`; `pairs.json` holds pair stories.
    public static func load(directory: String) throws -> Catalogue {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw CatalogueError(description: "cannot read the catalogue directory \(directory)")
        }
        guard !names.isEmpty else {
            throw CatalogueError(description: "the catalogue directory \(directory) has no .json files")
        }
        var files: [(String, Data)] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CatalogueError(description: "cannot read \(path)")
            }
            files.append((path, data))
        }
        return try load(files: files)
    }

    /// Decodes family files, `pairs.json`, `clientcodes.json` and `wirenames.json`, each named for the messages.
    static func load(files: [(name: String, data: Data)]) throws -> Catalogue {
        let decoder = JSONDecoder()
        var families: [Family] = []
        var stories: [PairStory] = []
        var shapes: [ClientCodeShape] = []
        var wireTables: [WireNameTable] = []
        for (name, data) in files {
            do {
                if name.hasSuffix("pairs.json") {
                    stories = try decoder.decode(PairStoryFile.self, from: data).pairs
                } else if name.hasSuffix("clientcodes.json") {
                    shapes = try decoder.decode(ClientCodeFile.self, from: data).shapes
                    for shape in shapes {
                        for written in [shape.error, shape.extended].compactMap({ $0 }) where KeyTemplate(written) == nil {
                            throw CatalogueError(description: "\"\(written)\" is not a key (family:0xHEX or family:{value})")
                        }
                    }
                } else if name.hasSuffix("wirenames.json") {
                    wireTables = try decoder.decode(WireNameFile.self, from: data).tables
                } else {
                    families.append(try decoder.decode(Family.self, from: data))
                }
            } catch {
                throw CatalogueError(description: "catalogue file \(name) is invalid: \(describe(error))")
            }
        }
        return Catalogue(families: families, pairStories: stories, clientCodeShapes: shapes, wireTables: wireTables)
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        switch decoding {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        @unknown default:
            return String(describing: error)
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
