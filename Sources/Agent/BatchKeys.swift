import SyncCore

/// The keys a batch in flight upserts or deletes, as sorted hashes: two batches holding one key (a row changed
/// mid-run) must reach the hub in order, so the later one waits for the earlier.
///
/// A set of `[SyncValue]` arrays cost an allocation and a hash per row, and every other batch in flight hashed
/// them all again (about a tenth of the agent's CPU in a Deep). Two equal hashes of different keys only make a
/// batch wait that did not need to, never send out of order, so hashes are enough.
struct BatchKeys: Sendable {
    private(set) var hashes: [Int] = []

    /// No keys: a batch sent while nothing else can be in flight.
    static let none = BatchKeys()

    private init() {}

    /// The keys of a chunk read, in either of its forms.
    init(_ chunk: EntityReader.Chunk, keyIndexes: [Int]) {
        guard chunk.encoded != nil else {
            self.init(upserts: chunk.upserts, deletes: chunk.deletes, keyIndexes: keyIndexes)
            return
        }
        self.init()
        let width = max(keyIndexes.count, 1)
        hashes.reserveCapacity(chunk.upsertCount + chunk.deletes.count)
        for start in stride(from: 0, to: chunk.encodedKeys.count, by: width) {
            hashes.append(Self.hash(chunk.encodedKeys[start ..< start + width]))
        }
        add(deletes: chunk.deletes)
    }

    init(upserts: [[SyncValue]], deletes: [[SyncValue]], keyIndexes: [Int]) {
        hashes.reserveCapacity(upserts.count + deletes.count)
        for row in upserts { hashes.append(Self.hash(keyIndexes.lazy.map { row[$0] })) }
        add(deletes: deletes)
    }

    /// Adds each delete's key, then sorts.
    private mutating func add(deletes: [[SyncValue]]) {
        for key in deletes { hashes.append(Self.hash(key)) }
        hashes.sort()
    }

    /// One key's hash: its values in order (the same for an upsert's key columns and a delete's key).
    private static func hash(_ values: some Sequence<SyncValue>) -> Int {
        var hasher = Hasher()
        for value in values { hasher.combine(value) }
        return hasher.finalize()
    }

    /// Whether the two may share a key: one walk along both sorted lists.
    func overlaps(_ other: BatchKeys) -> Bool {
        var i = 0
        var j = 0
        while i < hashes.count && j < other.hashes.count {
            if hashes[i] == other.hashes[j] { return true }
            if hashes[i] < other.hashes[j] { i += 1 } else { j += 1 }
        }
        return false
    }
}
