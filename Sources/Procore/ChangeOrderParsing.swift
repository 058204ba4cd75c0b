import TielineCore

/// Reading the PCCO pieces both intake styles share: line items, markups, cost coding.
enum ChangeOrderParsing {
    /// One PCCO line item as Procore sends it (ERP payload or REST v2.0 line item).
    ///
    /// `contractItems` maps prime contract line item ids to their origin codes, used when a
    /// line carries only `prime_line_item_id`. `index` is the line's place in the payload. Every
    /// error names Procore's line — `line 3 (id 99003, Counterflashing): …` — then the field.
    static func line(_ r: PayloadReader, index: Int, contractItems: [Int: String]) throws(TielineError) -> ChangeOrderExport.Line {
        // Read leniently first, so even a line with a broken field is named the way Procore shows it.
        let position = (try? r.optionalInt("position")) ?? nil
        let description = ((try? r.optionalString("description", maxLength: PayloadReader.maxTextLength)) ?? nil) ?? ""
        let label = ChangeOrderExport.Line.label(position: position ?? index + 1, id: try? r.int("id"), description: description)
        do {
            return try parsedLine(r, id: try r.int("id"), position: position ?? index + 1, description: description, contractItems: contractItems)
        } catch {
            throw TielineError(error.code, "\(label): \(error.message)")
        }
    }

    static func parsedLine(_ r: PayloadReader, id: Int, position: Int, description: String,
                           contractItems: [Int: String]) throws(TielineError) -> ChangeOrderExport.Line {
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
        let markupTotal = markups.map(\.amount).sum()
        // The dictionary's example always carries extended_amount; a payload without it is read by the
        // documented relation (amount = extended_amount + markups), so nothing is counted twice either way.
        let extended = try r.optional("extended_amount")?.asMoney() ?? amount - markupTotal
        let difference = amount - (extended + markupTotal)
        if difference.cents.magnitude > 1 {
            throw TielineError(.procorePayload, "\(r.path).amount: \(amount) is not extended_amount \(extended) plus markups \(markupTotal) (= \(extended + markupTotal)); Procore's line amount includes its markups, and the two differ by \(difference), more than a cent")
        }
        return ChangeOrderExport.Line(
            procoreID: id,
            position: position,
            description: description,
            amount: amount,
            extendedAmount: extended,
            taxAmount: try r.optional("tax_amount")?.asMoney(),
            contractItem: contractItem,
            costCode: try r.required("cost_code").string("full_code", allowEmpty: false),
            category: try r.required("line_item_type").string("code", allowEmpty: false),
            markups: markups)
    }

    /// Every line of a PCCO, each error naming its Procore line.
    static func lines(_ items: [PayloadReader], contractItems: [Int: String]) throws(TielineError) -> [ChangeOrderExport.Line] {
        var lines: [ChangeOrderExport.Line] = []
        for (index, item) in items.enumerated() { lines.append(try line(item, index: index, contractItems: contractItems)) }
        return lines
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
