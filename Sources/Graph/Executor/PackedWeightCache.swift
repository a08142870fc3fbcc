import Compute
import Foundation

/// Folded weights already converted into a primitive's layout, shared by the inference
/// executors of one parameter store (a server keeps one per batch size).
///
/// Converting is not free: oneDNN's reorder into Winograd's layout is a single-threaded
/// loop, about 400 ms for ResNet-18's weights, which every newly compiled batch size would
/// otherwise pay again. An executor whose primitive wants the same layout, at the same
/// store generation, takes the tensors already made. Entries are weak: the tensors live as
/// long as an executor holds them.
final class PackedWeightCache: @unchecked Sendable {
    struct Packed {
        let weights: Tensor
        let bias: Tensor?
    }

    private struct Entry {
        weak var weights: Tensor?
        weak var bias: Tensor?
        let hasBias: Bool
        let generation: Int
    }

    private var entries: [String: [Entry]] = [:]
    private let lock = NSLock()

    /// The tensors made for `key` (a node and how its weights were folded) in layout `desc`
    /// at `generation`, while some executor still holds them.
    func lookup(_ key: String, desc: MemoryDesc, generation: Int) -> Packed? {
        lock.withLock {
            for entry in entries[key] ?? [] where entry.generation == generation {
                guard let weights = entry.weights, weights.desc == desc else { continue }
                if entry.hasBias, entry.bias == nil { continue }
                return Packed(weights: weights, bias: entry.bias)
            }
            return nil
        }
    }

    /// Records tensors just made; drops entries whose tensors are gone or out of date.
    func store(_ key: String, _ packed: Packed, generation: Int) {
        lock.withLock {
            var kept = (entries[key] ?? []).filter { $0.weights != nil && $0.generation == generation }
            kept.append(Entry(weights: packed.weights, bias: packed.bias, hasBias: packed.bias != nil, generation: generation))
            entries[key] = kept
        }
    }
}
