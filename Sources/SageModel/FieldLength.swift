import TielineCore

extension SageTable {
    /// Fails when `value` is longer than Sage's field length `limit`, or holds a character Sage cannot store.
    ///
    /// Length and character set follow `SageText`, the one rule the hub and the agent use too.
    public static func checkLength(table: String, column: String, value: String, limit: Int) throws(TielineError) {
        guard let problem = SageText.problem(value, field: "\(table).\(column)", limit: limit) else { return }
        throw TielineError(SageText.firstUnstorable(value) == nil ? .fieldTooLong : .unstorableCharacter, problem)
    }
}

extension TielineError.Code {
    /// A value longer than Sage's field length.
    public static let fieldTooLong = Self("field_too_long")
    /// Text with a character Sage's single-byte fields cannot hold.
    public static let unstorableCharacter = Self("unstorable_character")
}
