import Foundation
import Procore
import TielineCore

/// Procore-shaped JSON for sandbox records.
extension SandboxData {
    /// `2026-12-04T20:44:31Z`; the value-type format style, because a new ISO8601DateFormatter per
    /// date (ICU set-up each time) was the sandbox's largest cost in the export burst benchmark.
    static func iso(_ date: Date) -> JSONValue { .string(date.ISO8601Format()) }

    static func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    static func num(_ n: Int) -> JSONValue { .number(String(n)) }
    static func money(_ m: Money) -> JSONValue { .string(m.description) }

    func projectJSON(_ p: SandboxProject) -> JSONValue {
        .object(["id": Self.num(p.id), "name": .string(p.name), "company": .object(["id": Self.num(companyID), "name": .string(companyName)]),
                 "origin_id": Self.str(p.originID), "origin_code": Self.str(p.originCode), "origin_data": .null, "active": .bool(true)])
    }

    func costCodeJSON(_ id: Int) -> JSONValue {
        guard let c = costCode(id) else { return .null }
        return .object(["id": Self.num(c.id), "full_code": .string(c.fullCode), "name": .string(c.name),
                        "origin_id": .null, "origin_data": .null])
    }

    func typeJSON(_ id: Int) -> JSONValue {
        guard let t = lineItemType(id) else { return .null }
        return .object(["id": Self.num(t.id), "code": .string(t.code), "name": .string(t.name), "base_type": .null, "origin_id": .null])
    }

    func contractItemJSON(_ item: SandboxContractItem) -> JSONValue {
        .object(["id": Self.num(item.id), "description": .string(item.description), "amount": Self.money(item.amount),
                 "origin_code": Self.str(item.originCode), "origin_id": .null, "origin_data": .null,
                 "cost_code": costCodeJSON(item.costCodeID), "line_item_type": typeJSON(item.lineItemTypeID)])
    }

    func contractJSON(_ c: SandboxPrimeContract, items: Bool) -> JSONValue {
        let total = c.items.map(\.amount).sum()
        var fields: [String: JSONValue] = [
            "id": Self.num(c.id), "project": .object(["id": Self.num(c.projectID)]), "number": .string(c.number),
            "title": .string(c.title), "status": .string(c.status), "origin_id": Self.str(c.originID),
            "origin_code": Self.str(c.originCode), "origin_data": .null, "grand_total": Self.money(total),
        ]
        if items { fields["line_items"] = .array(c.items.map(contractItemJSON)) }
        return .object(fields)
    }

    func pccoJSON(_ p: SandboxPCCO) -> JSONValue {
        var custom: [String: JSONValue] = [:]
        if let d = p.transactionDate { custom["transaction_date"] = .string(d.description) }
        var fields: [String: JSONValue] = [
            "id": Self.num(p.id), "contract_id": Self.num(p.contractID), "project_id": Self.num(p.projectID),
            "number": .string(p.number), "title": .string(p.title), "description": .string(p.description),
            "status": .string(p.status), "executed": .bool(false), "erp_custom_fields": .object(custom),
            "origin_id": Self.str(p.originID), "origin_code": Self.str(p.originCode), "origin_data": .null,
            "grand_total": Self.money(p.lines.map(\.amount).sum()),
            "created_at": Self.iso(p.createdAt), "updated_at": Self.iso(p.updatedAt), "approved_on": Self.iso(p.updatedAt),
            // The rest of the fields Procore's reference lists for a change order (Create/Update Prime Change Order),
            // with the values a PCCO approved by the sandbox's service account has.
            "created_by": .object(["id": Self.num(serviceAccountID), "login": .string("tieline-sandbox@dmsa.procore.example"),
                                   "name": .string("Tieline Sandbox Service Account")]),
            "reviewed_at": p.status == "approved" ? Self.iso(p.updatedAt) : .null, "due_date": .null, "paid_date": .null,
            "invoiced_date": .null, "signed_change_order_received_date": .null, "revised_substantial_completion_date": .null,
            "paid": .bool(false), "private": .bool(false), "revision": Self.num(0), "field_change": .bool(false),
            "signature_required": .bool(false), "schedule_impact_amount": .null, "reference": .null, "reason": .null,
            "batch_id": .null, "location": .null, "deleted_at": .null, "custom_fields": .object([:]),
        ]
        // What an Update set (patchPCCO checked each against its documented type).
        fields.merge(p.documentedFields) { _, updated in updated }
        return .object(fields)
    }

    /// A PCCO line as the ERP Events Dictionary shows one: `amount` includes the markups,
    /// `extended_amount` and `total_amount` are the line before them.
    func pccoLineJSON(_ l: SandboxPCCOLine, position: Int, contract: SandboxPrimeContract?) -> JSONValue {
        let item = contract?.items.first { $0.id == l.primeLineItemID }
        return .object([
            "id": Self.num(l.id), "position": Self.num(position), "description": .string(l.description), "amount": Self.money(l.amount),
            "extended_amount": Self.money(l.extendedAmount), "extended_type": .string("manual"), "total_amount": Self.money(l.extendedAmount),
            "tax_amount": .string("0.00"), "quantity": .string("1.0"),
            "unit_cost": Self.money(l.extendedAmount), "uom": .string("ls"),
            "prime_line_item_id": Self.num(l.primeLineItemID), "prime_line_item_origin_code": Self.str(item?.originCode),
            "cost_code": costCodeJSON(l.costCodeID), "line_item_type": typeJSON(l.lineItemTypeID),
            "markup_line_items": .array(l.markups.map { m in
                .object(["id": Self.num(m.id), "amount": Self.money(m.amount), "markup": .object([
                    "id": Self.num(m.markupID), "name": .string(m.name), "percentage": .string(m.percentage),
                    "markup_set": .string("vertical"),
                    "destination_cost_code": costCodeJSON(m.destinationCostCodeID),
                    "destination_line_item_type": typeJSON(m.destinationLineItemTypeID),
                    "prime_line_item": .object(["id": Self.num(l.primeLineItemID), "origin_id": .null]),
                ])])
            }),
            "origin_id": Self.str(l.originID), "origin_code": .null, "origin_data": .null,
        ])
    }

    /// The `create_prime_contract_change_order` payload, as the ERP Events Dictionary shows it: what the
    /// sandbox models, with the amounts Procore derives, then every other documented field (neutral).
    func createPayload(_ p: SandboxPCCO, requestDetailID: Int) -> JSONValue {
        let contract = contract(p.contractID)
        let company: JSONValue = .object(["id": Self.num(companyID), "name": .string(companyName)])
        let projectRef: JSONValue = project(p.projectID).map {
            .object(["id": Self.num($0.id), "name": .string($0.name), "origin_id": Self.str($0.originID), "origin_data": .null])
        } ?? .null
        func within(_ json: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
            guard case .object(var fields) = json else { return json }
            for (key, value) in extra where fields[key] == nil { fields[key] = value }
            return .object(fields)
        }
        var contractJSONValue: JSONValue = .null
        if let contract {
            // Revised = original + approved change orders (this one included: it is approved).
            let original = contract.items.map(\.amount).sum()
            let approved = pccos.filter { $0.contractID == contract.id && $0.status == "approved" }.flatMap(\.lines).map(\.amount).sum()
            let revised = Self.money(original + approved)
            contractJSONValue = within(contractJSON(contract, items: false), [
                "approved_change_orders": Self.money(approved), "revised_contract_amount": revised,
                "pending_revised_contract_amount": revised, "pending_change_orders_amount": .string("0.00"),
                "draft_change_orders_amount": .string("0.00"), "owner_invoices_amount": .string("0.00"),
                "total_payments": .string("0.00"), "outstanding_balance": revised, "percentage_paid": .string("0.0"),
                "retainage_percent": .string("0.0"), "private": .bool(false), "executed": .bool(true),
                "created_by": .object(["id": Self.num(serviceAccountID), "login": .string("tieline-sandbox@dmsa.procore.example"),
                                       "name": .string("Tieline Sandbox Service Account")]),
            ])
        }
        let items = (contract?.items ?? []).enumerated().map { offset, item in
            within(contractItemJSON(item), ["company": company, "project": projectRef, "position": Self.num(offset + 1),
                                            "holder": .object(["id": Self.num(contract!.id), "holder_type": .string("PrimeContract")]),
                                            "extended_amount": Self.money(item.amount), "extended_type": .string("manual"),
                                            "quantity": .string("1.0"), "tax_amount": .string("0.00")])
        }
        let lines = p.lines.enumerated().map { offset, line in
            within(pccoLineJSON(line, position: offset + 1, contract: contract), ["company": company, "project": projectRef,
                                                                                 "created_at": Self.iso(p.createdAt), "updated_at": Self.iso(p.updatedAt)])
        }
        let payload: JSONValue = .object([
            "project": project(p.projectID).map(projectJSON) ?? .null,
            "prime_contract": contractJSONValue,
            "prime_contract_items": .array(items),
            "prime_contract_change_order": within(pccoJSON(p), ["reviewed_at": Self.iso(p.updatedAt)]),
            "prime_contract_change_order_items": .array(lines),
            "request_detail_id": Self.num(requestDetailID),
        ])
        return DocumentedShapes.complete(payload, with: DocumentedShapes.createPrimeContractChangeOrder)
    }

    func erpRequestJSON(_ r: SandboxERPRequest) -> JSONValue {
        .object(["id": Self.num(r.id), "request_name": .string(r.name), "request_data": r.data,
                 "created_at": Self.iso(r.createdAt)])
    }
}
