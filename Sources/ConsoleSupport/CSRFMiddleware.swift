import Foundation
import HTTPTypes
import Hummingbird
import TielineCore

/// Refuses, with 403, any POST whose form lacks the CSRF token of this session (or, before
/// sign-in, of the browser's pre-sign-in cookie), and parses the form for the handlers.
///
/// Runs after the console's session middleware, which sets `console.csrf` for a signed-in user.
/// Before sign-in the token is a random `…_form` cookie (SameSite=Strict, HttpOnly) that the
/// form repeats: another site can neither read the value nor make the browser send the cookie.
public struct CSRFMiddleware<Context: ConsoleRequestContext>: RouterMiddleware {
    /// The largest form body accepted.
    public static var maxFormBytes: Int { 256 * 1024 }
    public let cookies: ConsoleCookies

    public init(cookies: ConsoleCookies) { self.cookies = cookies }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        var newFormToken: String?
        if context.console.csrf.isEmpty {
            if let existing = request.cookies[cookies.formName]?.value, existing.count >= 40 {
                context.console.csrf = existing
            } else {
                let token = ConsoleSecrets.token()
                context.console.csrf = token
                newFormToken = token
            }
        }
        if request.method == .post {
            try Self.checkOrigin(request)
            let body = try await request.collectBody(upTo: Self.maxFormBytes)
            context.console.form = FormData(urlEncoded: String(buffer: body))
            guard ConsoleSecrets.equal(context.console.form["csrf"] ?? "", context.console.csrf) else {
                throw TielineError(.csrfRejected,
                    "this form is missing its security token, or the page is out of date; go back, reload the page and try again")
            }
        }
        var response = try await next(request, context)
        if let newFormToken { response.setCookie(cookies.cookie(cookies.formName, newFormToken)) }
        return response
    }

    /// A browser names the page a POST came from; one from another origin is refused outright.
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin], origin != "null" else { return }
        guard let host = request.head.authority,
              let url = URL(string: origin), let originHost = url.host else {
            throw TielineError(.csrfRejected, "this form came from another site and was refused")
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority.lowercased() == host.lowercased() || originHost.lowercased() == host.lowercased() else {
            throw TielineError(.csrfRejected, "this form came from another site (\(originAuthority)) and was refused")
        }
    }
}
