import Hummingbird
import TielineCore

/// Resolves `Authorization: Bearer TOKEN` to its site, or answers 401 before any handler runs.
///
/// Tokens are looked up by their SHA-256, so the comparison never touches the token itself,
/// and neither the token nor its hash is ever logged.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let storage: any HubStorage

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw TielineError(.unauthorized,
                "missing Authorization header; send 'Authorization: Bearer <agent token>' (a hub administrator creates one with: tieline hub sites add NAME)")
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw TielineError(.unauthorized, "the Authorization header must be 'Bearer <agent token>'")
        }
        let token = String(header.dropFirst(7)).trimmingWhitespace()
        guard let site = try await storage.site(forToken: token) else {
            throw TielineError(.unauthorized,
                "the agent token is not valid: it is unknown or was revoked; ask the hub administrator for a new one (tieline hub sites token NAME)")
        }
        var context = context
        context.site = site
        context.logger[metadataKey: "site"] = .string(site.name)
        return try await next(request, context)
    }
}
