/// "1 batch", "2 batches": a count with its noun in the right number, for messages people read.
public func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
