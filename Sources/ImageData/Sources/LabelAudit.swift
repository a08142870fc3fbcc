/// Every record's labels checked before training starts. Lists and manifests are checked as
/// they are parsed; a `.rec` carries its labels in each record's header, so it is read here,
/// header by header, and a job whose records hold labels outside its classes fails at once
/// instead of losing those records one warning at a time.
public struct LabelAudit: Sendable {
    /// Records read.
    public var total: Int
    /// Records whose label is invalid, in record order.
    public var bad: [(index: Int, message: String)]

    /// Reads the labels of every sample of `source` (headers only for a `.rec`).
    public static func run(_ source: any SampleSource) -> LabelAudit {
        var bad: [(index: Int, message: String)] = []
        for i in 0..<source.count {
            do {
                _ = try source.labels(at: i)
            } catch let error as DatasetError {
                if case .badLabel = error { bad.append((i, error.description)) }
            } catch {
                // Unreadable records are the loader's business (skipped with a warning).
            }
        }
        return LabelAudit(total: source.count, bad: bad)
    }

    /// The fraction of records with invalid labels.
    public var badFraction: Double { total == 0 ? 0 : Double(bad.count) / Double(total) }

    /// The first few bad records, for a message.
    public func firstProblems(_ n: Int = 5) -> String {
        bad.prefix(n).map(\.message).joined(separator: "; ") + (bad.count > n ? "; and \(bad.count - n) more" : "")
    }
}

/// A source without some of its samples (the records an audit allowed to skip).
// Unchecked Sendable: immutable after init; it forwards to a Sendable source.
public final class SubsetSource: SampleSource, @unchecked Sendable {
    // Immutable after init: safe to share between the loader's threads.
    public let base: any SampleSource
    public let indices: [Int]

    public init(_ base: any SampleSource, excluding excluded: Set<Int>) {
        self.base = base
        self.indices = (0..<base.count).filter { !excluded.contains($0) }
    }

    public var count: Int { indices.count }
    public func reference(at index: Int) -> String { base.reference(at: indices[index]) }
    public func load(at index: Int) throws -> RawSample { try base.load(at: indices[index]) }
    public func labels(at index: Int) throws -> [Float] { try base.labels(at: indices[index]) }
}
