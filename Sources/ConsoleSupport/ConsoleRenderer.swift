import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import TielineCore

/// One tab in a console's navigation.
public struct Tab: Sendable, Hashable {
    public var label: String
    public var href: String
    public var current: Bool

    public init(_ label: String, _ href: String, current: Bool) {
        self.label = label
        self.href = href
        self.current = current
    }
}

/// What the shared layout draws around every page: title, tabs, signed-in user, messages.
public struct Chrome: Sendable {
    public var product: String
    public var title: String
    /// The console's path prefix for links ("" or "/console").
    public var base: String
    /// The CSRF token every form on the page carries.
    public var csrf: String
    /// The signed-in user as shown (nil before sign-in: no Sign out button).
    public var user: String?
    public var tabs: [Tab] { didSet { hasTabs = !tabs.isEmpty } }
    /// Whether to draw the tab bar (Mustache cannot ask an array whether it is empty without iterating it).
    public private(set) var hasTabs: Bool
    public var notice: String?
    public var error: String?
    /// Reloads the page every N seconds (live progress without JavaScript).
    public var refreshSeconds: Int?

    public init(product: String, title: String, base: String, csrf: String, user: String? = nil, tabs: [Tab] = [],
                notice: String? = nil, error: String? = nil, refreshSeconds: Int? = nil) {
        self.product = product
        self.title = title
        self.base = base
        self.csrf = csrf
        self.user = user
        self.tabs = tabs
        self.hasTabs = !tabs.isEmpty
        self.notice = notice
        self.error = error
        self.refreshSeconds = refreshSeconds
    }
}

/// A page's data: its own fields plus the layout's `chrome`.
public protocol ConsolePageModel: Sendable {
    var chrome: Chrome { get set }
}

/// Renders a console's Mustache templates inside the shared layout and makes the HTTP responses.
public struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    public let cookies: ConsoleCookies

    /// Parses `templates` (name → Mustache text) plus the shared `layout`; a template error is a bug, so it traps.
    public init(templates: [String: String], cookies: ConsoleCookies) {
        var library = MustacheLibrary()
        do {
            try library.register(ConsoleAssets.layout, named: "layout")
            for (name, text) in templates { try library.register(text, named: name) }
        } catch {
            preconditionFailure("console template failed to parse: \(error)")
        }
        self.library = library
        self.cookies = cookies
    }

    /// The page `template` for `model`, showing (and then clearing) any flash the request carries.
    public func page<Model: ConsolePageModel>(_ template: String, _ model: Model, request: Request,
                                              status: HTTPResponse.Status = .ok) -> Response {
        var model = model
        var clearFlash = false
        if let flash = Flash.read(request, cookies: cookies) {
            clearFlash = true
            switch flash.kind {
            case .notice: if model.chrome.notice == nil { model.chrome.notice = flash.message }
            case .error: if model.chrome.error == nil { model.chrome.error = flash.message }
            }
        }
        var response = Self.html(render(template, model), status: status)
        if clearFlash { response.setCookie(cookies.cookie(cookies.flashName, "x", maxAge: 0)) }
        return response
    }

    /// The text of `template` rendered with `model` (for tests and fragments).
    public func render(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? "template \(template) is missing"
    }

    /// 303 See Other to `location`, optionally carrying a message to the next page.
    public func redirect(_ location: String, flash: Flash? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if let flash { response.setCookie(cookies.cookie(cookies.flashName, flash.encoded)) }
        return response
    }

    /// An HTML response with the consoles' security headers (no caching, no framing, same-origin only).
    public static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Headers every console page carries.
    public static var securityHeaders: HTTPFields {
        [
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    /// Serves the shared stylesheet and script under `group` (`/static/console.css`, `/static/console.js`).
    public static func addAssets<Context: RequestContext>(to router: some RouterMethods<Context>) {
        router.get("static/console.css") { _, _ in asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("static/console.js") { _, _ in asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300",
                                        HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
