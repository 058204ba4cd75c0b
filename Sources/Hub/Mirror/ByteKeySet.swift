import Foundation

/// A set of short byte strings under a cheap seeded hash, kept in one arena.
///
/// A Deep sync asks "seen this cost code already?" once per transaction row: with Swift's `Set` of
/// `String`s that was a SipHash set-up, three string hashes and a rehash as the set grew, about a tenth of
/// the hub's CPU. Here a lookup hashes the row's bytes eight at a time and compares them in place.
/// The seed is random per process, so the slots an agent's values land in cannot be chosen in advance.
struct ByteKeySet {
    static let seed = UInt64.random(in: .min ... .max)

    /// Index + 1 of the key in each slot, 0 when empty; a power of two long, at most half full.
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    /// Key `i` is `arena[ends[i - 1] ..< ends[i]]` (from 0 for the first).
    private var ends: [Int] = []
    private var arena: [UInt8] = []

    /// How many keys the set holds.
    var count: Int { hashes.count }

    init(minimumCapacity: Int = 32) {
        var size = 16
        while size < minimumCapacity * 2 { size *= 2 }
        slots = Array(repeating: 0, count: size)
    }

    /// The key's hash under this process's seed (length included, so a prefix hashes apart).
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= key.count {
            h = mix(h ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < key.count {
            var tail: UInt64 = 0
            for j in i ..< key.count { tail |= UInt64(key[j]) << (8 * UInt64(j - i)) }
            h = mix(h ^ tail)
        }
        // MurmurHash3's finalizer: every input bit reaches the low bits a slot index is taken from.
        h ^= h >> 33; h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33; h &*= 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    private static func mix(_ h: UInt64) -> UInt64 {
        let m = h &* 0xBF58_476D_1CE4_E5B9
        return m ^ (m >> 31)
    }

    /// Whether the set holds `key` (whose `hash` the caller computed with `hash(_:)`).
    func contains(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        slot(of: key, hash: hash).found
    }

    /// Adds `key`; false when it was already there.
    @discardableResult
    mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        let (index, found) = slot(of: key, hash: hash)
        if found { return false }
        hashes.append(hash)
        arena.append(contentsOf: key)
        ends.append(arena.count)
        slots[index] = Int32(hashes.count)
        if hashes.count * 2 > slots.count { grow() }
        return true
    }

    /// Calls `body` with each key and its hash, in the order they were added.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
        try arena.withUnsafeBytes { arena in
            var start = 0
            for (i, end) in ends.enumerated() {
                try body(UnsafeRawBufferPointer(rebasing: arena[start ..< end]), hashes[i])
                start = end
            }
        }
    }

    /// The slot that holds `key`, or the empty one where it would go.
    private func slot(of key: UnsafeRawBufferPointer, hash: UInt64) -> (index: Int, found: Bool) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBytes { arena in
            while true {
                let entry = Int(slots[index])
                if entry == 0 { return (index, false) }
                if hashes[entry - 1] == hash {
                    let start = entry == 1 ? 0 : ends[entry - 2]
                    let end = ends[entry - 1]
                    if end - start == key.count
                        && (key.isEmpty || memcmp(arena.baseAddress! + start, key.baseAddress!, key.count) == 0) {
                        return (index, true)
                    }
                }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        var larger = Array(repeating: Int32(0), count: slots.count * 2)
        let mask = larger.count - 1
        for (i, hash) in hashes.enumerated() {
            var index = Int(truncatingIfNeeded: hash) & mask
            while larger[index] != 0 { index = (index + 1) & mask }
            larger[index] = Int32(i + 1)
        }
        slots = larger
    }
}
