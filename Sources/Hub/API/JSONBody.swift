import Foundation
import Hummingbird
import TielineCore

/// JSON in and out of handlers, with bodies read under an explicit size limit.
enum JSONBody {
    /// Small JSON bodies (run start, completion, finish) never need more than this.
    static let maxRequestBytes = 1 << 20

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        // Our own types always encode; a failure here is a programming error worth a 500 body anyway.
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal_error","message":"encoding failed"}}"#.utf8)
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, what: String) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: maxRequestBytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw TielineError(.invalidInput, "request body is not a valid \(what): \(describe(error))")
        } catch {
            throw TielineError(.invalidInput, "request body is not a valid \(what): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level" : codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            if let underlying = c.underlyingError as? TielineError { return underlying.message }
            return "\(c.debugDescription) at \(path(c.codingPath))"
        @unknown default: return "\(error)"
        }
    }
}
