import Agent
import Foundation
import Testing
import TielineCore

@Suite struct ConnectTests {
    @Test(arguments: ["hub.example.com", "ftp://hub.example.com", "https://", "https://hub.example.com?x=1", "https://u:p@hub", "not a url"])
    func refusesMalformedURLs(url: String) {
        let error = #expect(throws: TielineError.self) { try HubConnection.validated(url: url, site: "acme") }
        #expect(error?.code == .invalidHubURL)
    }

    @Test func normalizesAGoodURL() throws {
        let hub = try HubConnection.validated(url: " https://hub.example.com:8443/tieline/ ", site: "acme")
        #expect(hub.url == "https://hub.example.com:8443/tieline")
        #expect(throws: TielineError.self) { try HubConnection.validated(url: "https://hub", site: "a b") }
    }

    @Test func masksTokens() {
        #expect(HubToken.masked("tl_4b1c2d3e4f5a6b7c9f3a") == "tl_…9f3a")
        #expect(HubToken.masked("abcdefghijklmnop") == "…mnop")
        #expect(HubToken.masked("short123") == "…23")
    }

    @Test func connectStoresTheTokenSeparately() throws {
        let store = AgentConfigStore(home: makeHome())
        try store.connect(url: "http://127.0.0.1:8080/", site: "acme", token: "tl_4b1c2d3e4f5a6b7c9f3a")
        #expect(try store.load().hub == HubConnection(url: "http://127.0.0.1:8080", site: "acme"))
        #expect(try store.loadToken() == "tl_4b1c2d3e4f5a6b7c9f3a")
        let json = String(decoding: try Data(contentsOf: store.configURL), as: UTF8.self)
        #expect(!json.contains("tl_4b1c"), "the token must not be in agent.json")
        #expect(throws: TielineError.self) { try store.connect(url: "http://h", site: "acme", token: "has space") }
    }
}
