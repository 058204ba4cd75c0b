import Procore

/// One step into a JSON document.
enum Step: Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let k): ".\(k)"
        case .index(let i): "[\(i)]"
        }
    }
}

/// A path as PayloadReader prints it, e.g. `request_data.items[1].amount`.
func render(_ path: [Step]) -> String {
    var text = ""
    for step in path {
        switch step {
        case .key(let k): text += text.isEmpty ? k : ".\(k)"
        case .index(let i): text += "[\(i)]"
        }
    }
    return text
}

/// Parses `request_data.items[1].amount` into steps.
func steps(_ text: String) -> [Step] {
    var result: [Step] = []
    for part in text.split(separator: ".") {
        var name = Substring(part)
        var indices: [Int] = []
        while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
            indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)])!, at: 0)
            name = name[..<open]
        }
        result.append(.key(String(name)))
        result += indices.map { .index($0) }
    }
    return result
}

extension JSONValue {
    /// A copy with the value at `path` replaced (nil removes an object field).
    func setting(_ path: [Step], to newValue: JSONValue?) -> JSONValue {
        guard let first = path.first else { return newValue ?? .null }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var fields), .key(let k)):
            if rest.isEmpty, newValue == nil { fields[k] = nil } else { fields[k] = (fields[k] ?? .null).setting(rest, to: newValue) }
            return .object(fields)
        case (.array(var items), .index(let i)) where items.indices.contains(i):
            items[i] = items[i].setting(rest, to: newValue)
            return .array(items)
        default:
            return self
        }
    }

    /// Every scalar (string, number, bool, null) with its path.
    func leaves(_ prefix: [Step] = []) -> [([Step], JSONValue)] {
        switch self {
        case .object(let fields): return fields.keys.sorted().flatMap { fields[$0]!.leaves(prefix + [.key($0)]) }
        case .array(let items): return items.enumerated().flatMap { $0.element.leaves(prefix + [.index($0.offset)]) }
        default: return [(prefix, self)]
        }
    }
}
