import ConsoleSupport
import Hub
import Hummingbird
import TielineCore

/// The site admin's Users page: the site's console users and a form to add one.
struct UsersRoutes: Sendable {
    let pages: HubPages

    struct Row: Sendable {
        var name: String
        var role: String
        var createdAt: String
    }

    struct Page: ConsolePageModel {
        var chrome: Chrome
        var rows: [Row]
        var name: String
    }

    func add(to group: RouterGroup<HubConsoleContext>) {
        group.get("users") { request, context -> Response in
            let user = try requireAdmin(context)
            return pages.renderer.page("users", try await page(user, context), request: request)
        }
        group.post("users") { request, context -> Response in
            let user = try requireAdmin(context)
            let form = context.console.form
            do {
                let role = try ConsoleRole(argument: form.text("role"))
                let added = try await ConsoleUsers.add(site: user.site.name, name: form.text("name"), role: role, password: form["password"] ?? "",
                                                       accounts: pages.console.accounts, hasher: pages.console.hasher)
                return pages.renderer.redirect("\(HubConsole.base)/users", flash: Flash(.notice, "Added \(added.name) (\(added.role.label))."))
            } catch let error as TielineError {
                var model = try await page(user, context)
                model.name = form.text("name")
                model.chrome.error = error.message
                return pages.renderer.page("users", model, request: request, status: .badRequest)
            }
        }
    }

    func requireAdmin(_ context: HubConsoleContext) throws -> ConsoleUser {
        let user = try context.user()
        guard user.role == .admin else { throw TielineError(.forbidden, "only a site admin can manage users") }
        return user
    }

    func page(_ user: ConsoleUser, _ context: HubConsoleContext) async throws -> Page {
        let users = try await pages.console.accounts.consoleUsers(site: user.site.name)
        return Page(chrome: pages.chrome("Users of \(user.site.name)", .users, context),
                    rows: users.map { Row(name: $0.name, role: $0.role.label, createdAt: $0.createdAt) }, name: "")
    }
}

extension HubTemplates {
    static let users = """
    {{<layout}}{{$content}}
    <table id="users">
      <thead><tr><th>User</th><th>Role</th><th>Added</th></tr></thead>
      <tbody>{{#rows}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{createdAt}}</td></tr>{{/rows}}</tbody>
    </table>
    <h2>Add a user</h2>
    <form method="post" action="{{chrome.base}}/users" class="card stack">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="name">User name</label>
      <input type="text" id="name" name="name" value="{{name}}" autocomplete="off" required>
      <label for="role">Role</label>
      <select id="role" name="role">
        <option value="approver">Accounting approver</option>
        <option value="viewer">Viewer</option>
        <option value="admin">Site admin</option>
      </select>
      <label for="password">Password (at least 8 characters)</label>
      <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
      <div class="actions"><button type="submit">Add user</button></div>
    </form>
    {{/content}}{{/layout}}
    """
}
