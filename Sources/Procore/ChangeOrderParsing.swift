import TielineCore

/// Reading the PCCO pieces both intake styles share: line items, markups, cost coding.
enum ChangeOrderParsing {
    /// One PCCO line item as Procore sends it (ERP payload or REST v2.0 line item).
    ///
    /// `contractItems` maps prime contract line item ids to their origin codes, used when a
    /// line carries only `prime_line_item_id`.
    static func line(_ r: PayloadReader, contractItems: [Int: String]) throws(TielineError) -> ChangeOrderExport.Line {
        let id = try r.int("id")
        let amount = try r.money("amount")
        let contractItem: String
        if let code = try r.optionalString("prime_line_item_origin_code") {
            contractItem = code
        } else if let lineID = try r.optionalInt("prime_line_item_id") {
            guard let code = contractItems[lineID] else {
                throw TielineError(.procorePayload, "\(r.path).prime_line_item_id: prime contract line item \(lineID) has no origin_code, so it is not linked to a Sage contract item")
            }
            contractItem = code
        } else {
            throw TielineError(.procorePayload, "\(r.path).prime_line_item_origin_code: missing, and no prime_line_item_id to look it up")
        }
        guard !contractItem.trimmingWhitespace().isEmpty else {
            throw TielineError(.procorePayload, "\(r.path).prime_line_item_origin_code: is empty")
        }
        let markups = try r.optionalArray("markup_line_items").map { (m) throws(TielineError) in try markup(m) }
        return ChangeOrderExport.Line(
            procoreID: id,
            description: try r.optionalString("description", maxLength: PayloadReader.maxTextLength) ?? "",
            amount: amount,
            contractItem: contractItem,
            costCode: try r.required("cost_code").string("full_code", allowEmpty: false),
            category: try r.required("line_item_type").string("code", allowEmpty: false),
            markups: markups)
    }

    /// One markup line: its amount goes to the markup's destination cost code and type.
    static func markup(_ r: PayloadReader) throws(TielineError) -> ChangeOrderExport.Markup {
        let markup = try r.required("markup")
        return ChangeOrderExport.Markup(
            procoreID: try r.int("id"),
            name: try markup.optionalString("name") ?? "",
            amount: try r.money("amount"),
            costCode: try markup.required("destination_cost_code").string("full_code", allowEmpty: false),
            category: try markup.required("destination_line_item_type").string("code", allowEmpty: false))
    }

    /// Prime contract line item id → origin code, for those that have one.
    static func contractItemCodes(_ items: [PayloadReader]) throws(TielineError) -> [Int: String] {
        var codes: [Int: String] = [:]
        for item in items {
            if let code = try item.optionalString("origin_code") { codes[try item.int("id")] = code }
        }
        return codes
    }

    /// A PCCO number: Procore sends a string, but tolerate a bare JSON number.
    static func number(_ r: PayloadReader, _ key: String) throws(TielineError) -> String {
        let field = try r.required(key)
        if case .number(let text) = field.value { return text }
        return try field.asString(allowEmpty: false)
    }

    /// The Sage link code on a Procore object, required and non-empty.
    static func originCode(_ r: PayloadReader, what: String) throws(TielineError) -> String {
        guard let code = try r.optionalString("origin_code"), !code.trimmingWhitespace().isEmpty else {
            throw TielineError(.procorePayload, "\(r.childPath("origin_code")): missing; the \(what) is not linked to Sage")
        }
        return code
    }
}
