import Foundation
import Procore
import TielineCore

/// `POST /oauth/token` as procore/documentation (oauth/oauth_endpoints.md, oauth_client_credentials.md)
/// describes it: the body as multipart form data (the docs' `curl -F` examples), URL-encoded form or
/// JSON; the client authenticated by `client_id`/`client_secret` in the body or by HTTP Basic (RFC 6749
/// §2.3.1 — the docs are silent on Basic); `client_credentials` and `refresh_token` grants; the answer
/// `{"access_token", "token_type": "bearer", "expires_in": 5400, "created_at"}`.
extension SandboxData {
    mutating func token(_ r: SandboxRequest, now: Date, clientID: String, clientSecret: String, lifetime: Int,
                        refreshTokens issueRefresh: Bool) -> SandboxReply {
        func oauthError(_ status: Int, _ code: String, _ text: String) -> SandboxReply {
            SandboxReply(status: status, json: .object(["error": .string(code), "error_description": .string(text)]))
        }
        guard var params = Self.tokenParameters(r) else {
            return oauthError(400, "invalid_request", "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.")
        }
        if let basic = r.header("Authorization"), basic.lowercased().hasPrefix("basic ") {
            guard let decoded = Data(base64Encoded: String(basic.dropFirst(6)).trimmingWhitespace()).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":") else {
                return oauthError(401, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
            }
            // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
            params["client_id"] = String(decoded[..<colon]).removingPercentEncoding ?? String(decoded[..<colon])
            params["client_secret"] = String(decoded[decoded.index(after: colon)...]).removingPercentEncoding ?? String(decoded[decoded.index(after: colon)...])
        }
        guard params["client_id"] == clientID, params["client_secret"] == clientSecret else {
            return oauthError(401, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
        }
        switch params["grant_type"] {
        case "client_credentials":
            break
        case "refresh_token":
            // A refresh token is used once: the answer carries its successor.
            guard let refresh = params["refresh_token"], refreshTokens.remove(refresh) != nil else {
                return oauthError(400, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
            }
        default:
            return oauthError(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
        }
        let token = "sbx-" + String(format: "%016llx", rng.next()) + String(format: "%08x", tokens.count)
        tokens[token] = now.addingTimeInterval(Double(lifetime))
        var answer: [String: JSONValue] = ["access_token": .string(token), "token_type": .string("bearer"),
                                           "expires_in": Self.num(lifetime), "created_at": Self.num(Int(now.timeIntervalSince1970))]
        if issueRefresh || params["grant_type"] == "refresh_token" {
            let refresh = "sbr-" + String(format: "%016llx", rng.next())
            refreshTokens.insert(refresh)
            answer["refresh_token"] = .string(refresh)
        }
        return .ok(.object(answer))
    }

    /// The token request's parameters from any of the three body encodings; nil when the body cannot be read.
    static func tokenParameters(_ r: SandboxRequest) -> [String: String]? {
        let type = (r.header("Content-Type") ?? "").lowercased()
        if type.contains("json") {
            guard case .object(let fields)? = try? r.json else { return nil }
            var params: [String: String] = [:]
            for (key, value) in fields {
                switch value {
                case .string(let s): params[key] = s
                case .number(let n): params[key] = n
                default: break
                }
            }
            return params
        }
        if type.hasPrefix("multipart/form-data") {
            return multipartFields(r.body, contentType: r.header("Content-Type") ?? "")
        }
        return SandboxRequest.decodeQuery(String(decoding: r.body, as: UTF8.self))
    }

    /// The text fields of a `multipart/form-data` body (RFC 7578), as curl -F sends them.
    static func multipartFields(_ body: Data, contentType: String) -> [String: String]? {
        let parameters: [String] = contentType.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard let boundaryParameter = parameters.first(where: { $0.lowercased().hasPrefix("boundary=") }) else { return nil }
        var boundary = String(boundaryParameter.dropFirst("boundary=".count))
        if boundary.hasPrefix("\""), boundary.hasSuffix("\""), boundary.count >= 2 { boundary = String(boundary.dropFirst().dropLast()) }
        let text = String(decoding: body, as: UTF8.self)
        var fields: [String: String] = [:]
        for part in text.components(separatedBy: "--" + boundary).dropFirst() {
            if part.hasPrefix("--") { break }
            guard let split = part.range(of: "\r\n\r\n") ?? part.range(of: "\n\n") else { continue }
            let head = part[..<split.lowerBound]
            var value = String(part[split.upperBound...])
            // "\r\n" is one Character in Swift: one removeLast drops either line ending.
            if value.hasSuffix("\r\n") || value.hasSuffix("\n") { value.removeLast() }
            let headLines: [String] = String(head).components(separatedBy: CharacterSet.newlines)
            guard let disposition = headLines.first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let nameRange = disposition.range(of: "name=\"") else { continue }
            let rest = disposition[nameRange.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            fields[String(rest[..<end])] = value
        }
        return fields
    }
}
