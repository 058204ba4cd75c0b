import TielineCore

/// Every error code the hub's API answers with (`{"error": {"code", "message"}}`), in one place: the hub
/// raises them and the agent decides on them through this type, never through string literals.
public enum WireErrorCode: String, CaseIterable, Sendable {
    case unauthorized, forbidden, conflict
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case invalidInput = "invalid_input"
    case invalidBatch = "invalid_batch"
    case unknownEntity = "unknown_entity"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case wireBadMagic = "wire_bad_magic"
    case wireUnsupportedVersion = "wire_unsupported_version"
    case wireTruncated = "wire_truncated"
    case wireMalformed = "wire_malformed"
    case wireTooLarge = "wire_too_large"
    case storageFailure = "storage_failure"
    case internalError = "internal_error"
    /// Not sent by the hub: the agent's own code for a hub it could not reach or understand.
    case hubTransport = "hub_transport"

    /// The code as a `TielineError` carries it.
    public var code: TielineError.Code { TielineError.Code(rawValue) }

    /// The wire code of `error`, if it is one.
    public init?(_ error: TielineError) { self.init(rawValue: error.code.rawValue) }

    /// A failure of the hub or of the way to it, not of the request: worth trying again later.
    public var isTransient: Bool { self == .storageFailure || self == .internalError || self == .hubTransport }
}
