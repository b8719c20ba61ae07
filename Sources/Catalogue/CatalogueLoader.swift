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
    /// The resource bundle SwiftPM builds beside the executable. Found by hand
    /// rather than with `Bundle.module`, whose accessor traps when the bundle
    /// is missing; a missing catalogue must be a message, not a crash.
    static let bundleName = "rdpdoctor_Catalogue"

    /// Loads the catalogue shipped with the program. `RDPDOCTOR_CATALOGUE`
    /// may name another directory of family files.
    public static func shipped(executablePath: String = CommandLine.arguments.first ?? "") throws -> Catalogue {
        let directory = try locateDirectory(executablePath: executablePath)
        return try load(directory: directory)
    }

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
        let decoder = JSONDecoder()
        var families: [Family] = []
        var stories: [PairStory] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CatalogueError(description: "cannot read \(path)")
            }
            do {
                if name == "pairs.json" {
                    stories = try decoder.decode(PairStoryFile.self, from: data).pairs
                } else {
                    families.append(try decoder.decode(Family.self, from: data))
                }
            } catch {
                throw CatalogueError(description: "catalogue file \(path) is invalid: \(describe(error))")
            }
        }
        return Catalogue(families: families, pairStories: stories)
    }

    static func locateDirectory(executablePath: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let override = environment["RDPDOCTOR_CATALOGUE"], !override.isEmpty {
            return override
        }
        // argv[0] may be a bare name found through PATH; the kernel knows the real file.
        let realPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? executablePath
        let executable = URL(fileURLWithPath: realPath).resolvingSymlinksInPath()
        let beside = executable.deletingLastPathComponent().path
        let candidates = [
            "\(beside)/\(bundleName).resources/catalogue",
            "\(beside)/\(bundleName).bundle/Contents/Resources/catalogue",
            "\(beside)/\(bundleName).bundle/catalogue",
            "\(beside)/../share/rdpdoctor/catalogue",
        ]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw CatalogueError(description:
            "the code catalogue was not found beside \(executable.path) "
            + "(looked for \(bundleName).resources/catalogue); set RDPDOCTOR_CATALOGUE to its directory")
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
