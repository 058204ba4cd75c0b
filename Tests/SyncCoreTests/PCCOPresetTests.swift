import SageModel
import SyncCore
import Testing

@Suite struct PCCOPresetTests {
    let allTwelve: Set<String> = [
        "Contract (CN)", "Contract Change Order (CN)", "Contract Change Order (PJ)", "Contract Change Order Item (CN)",
        "Contract Change Request (PJ)", "Contract Item (CN)", "Customer", "Customer Type", "Invoice (AP)", "Job (CV)",
        "Quick Bill Contract", "Quick Bill Contract Item",
    ]
    let fiveOptions: Set<String> = ["Commitment Change Order", "Employee", "Equipment", "Credit Account", "Debit Account"]

    @Test func withPJTicksTheTwelveAndTransactionAndClearsTheFiveOptions() {
        var mappings = Mappings()
        let change = PCCOExportPreset.apply(to: &mappings, ownsPJ: true, strict: false)
        #expect(mappings.enabled == allTwelve.union(["Transaction (JC)"]))
        #expect(mappings.clearedFields == ["Transaction (JC)": fiveOptions])
        #expect(Set(change.added) == mappings.enabled)
        #expect(change.removed.isEmpty)
        #expect(change.notes.contains { $0.contains("owns Project Management (PJ)") })
    }

    @Test func withoutPJLeavesThePJEntitiesOutAndSaysSo() {
        var mappings = Mappings()
        let change = PCCOExportPreset.apply(to: &mappings, ownsPJ: false, strict: false)
        let expected = allTwelve.subtracting(["Contract Change Order (PJ)", "Contract Change Request (PJ)"]).union(["Transaction (JC)"])
        #expect(mappings.enabled == expected)
        #expect(mappings.enabled.count == 11)
        #expect(change.notes.contains { $0.contains("does not own Project Management (PJ)") })
    }

    @Test func strictAlsoClearsPayIDAndReferences() {
        var mappings = Mappings()
        _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: true, strict: true)
        #expect(mappings.clearedFields["Transaction (JC)"] == fiveOptions.union(["Pay ID", "Reference 1", "Reference 2"]))
    }

    @Test func secondRunReportsNoChanges() {
        var mappings = Mappings()
        _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: true, strict: true)
        let before = mappings
        let again = PCCOExportPreset.apply(to: &mappings, ownsPJ: true, strict: false)
        #expect(again.isEmpty)
        #expect(again.lines.first == "no changes")
        #expect(mappings == before, "a non-strict run after a strict one must not restore Pay ID or the references")
    }

    @Test func neverRemovesWhatWasAlreadySelected() throws {
        // A user who already syncs Transaction (JC) field Pay ID and an extra ticked entity keeps both.
        var mappings = Mappings(enabled: ["Contract Change Order (PJ)"], clearedFields: [:])
        _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: false, strict: false)
        #expect(mappings.enabled.contains("Contract Change Order (PJ)"), "the preset must not untick a PJ entity even without PJ")
        #expect(!(mappings.clearedFields["Transaction (JC)"] ?? []).contains("Pay ID"))
    }
}
