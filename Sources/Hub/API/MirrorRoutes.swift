import Foundation
import Hummingbird
import SyncCore
import TielineCore

/// `GET /v1/mirror/{entity}`: the site's mirrored rows, paginated like Procore (`page`, `per_page`, `Total`, `Link`).
struct MirrorRoutes {
    let storage: any HubStorage
    static let maxPerPage = 2000

    func add(to group: RouterGroup<HubRequestContext>) {
        group.get(":entity") { request, context in
            let site = try context.requireSite()
            let raw = try context.parameters.require("entity")
            let typed = raw.removingPercentEncoding ?? raw
            // Accept what a user would type (`transaction`, `Contract Item`) as the CLI does.
            let entity = (try? EntityCatalog.resolve(typed).name) ?? typed
            let query = request.uri.queryParameters
            let page = try QueryNumbers.integer(request, "page", default: 1, in: 1...QueryNumbers.maxPage)
            let perPage = try QueryNumbers.integer(request, "per_page", default: 100, in: 1...Self.maxPerPage)
            let key = query.getAll("key")
            let result = try await storage.mirrorRows(entity: entity, key: key, page: page, perPage: perPage, site: site)
            var headers: HTTPFields = [:]
            headers[.init("Total")!] = String(result.total)
            headers[.init("Per-Page")!] = String(perPage)
            if let link = Self.link(path: request.uri.path, key: key, page: page, perPage: perPage, total: result.total) {
                headers[.init("Link")!] = link
            }
            return JSONBody.response(result.rows.map(MirrorRowJSON.init), headers: headers)
        }
    }

    /// RFC 8288 links to first, prev, next and last pages, as Procore sends them.
    static func link(path: String, key: [String], page: Int, perPage: Int, total: Int) -> String? {
        let last = max(1, (total + perPage - 1) / perPage)
        let keyQuery = key.map { "&key=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? $0)" }.joined()
        func url(_ n: Int) -> String { "<\(path)?page=\(n)&per_page=\(perPage)\(keyQuery)>" }
        var links: [String] = []
        if page > 1 { links += ["\(url(1)); rel=\"first\"", "\(url(min(page - 1, last))); rel=\"prev\""] }
        if page < last { links += ["\(url(page + 1)); rel=\"next\"", "\(url(last)); rel=\"last\""] }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }
}

/// One mirrored row as a JSON object keyed by column name: integers as numbers, text as strings.
struct MirrorRowJSON: Encodable {
    let pairs: [(String, SyncValue)]

    init(_ pairs: [(String, SyncValue)]) { self.pairs = pairs }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (column, value) in pairs {
            switch value {
            case .null: try container.encodeNil(forKey: Key(stringValue: column))
            case .integer(let n): try container.encode(n, forKey: Key(stringValue: column))
            case .text(let s): try container.encode(s, forKey: Key(stringValue: column))
            }
        }
    }
}
