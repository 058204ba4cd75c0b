/// The hub console's Mustache templates, embedded so the `tieline` binary needs no resource files.
/// Each page's text sits beside the routes that render it.
enum HubTemplates {
    static var all: [String: String] {
        ["message": message, "signin": signin, "dashboard": dashboard, "exports": exports, "export": export, "users": users]
    }
}
