/// The agent console's Mustache templates, embedded so the `tieline` binary needs no resource files.
/// Each page's text sits beside the routes that render it.
enum AgentTemplates {
    static var all: [String: String] {
        [
            "message": message, "setup": setup, "signin": signin, "connect": connect,
            "connections": connections, "connection-test": connectionTest, "connection-remove": connectionRemove,
            "mappings": mappings, "advanced-mappings": advancedMappings, "mappings-confirm": mappingsConfirm,
            "sync": sync, "sync-settings": syncSettings, "sync-progress": syncProgress,
        ]
    }
}
