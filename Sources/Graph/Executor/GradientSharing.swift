/// Which op outputs of a training executor share one gradient buffer because an op passes its
/// output's gradient unchanged to some inputs (the residual sum): an input that shares its
/// sum's buffer receives its gradient without a copy.
///
/// A group is planned by replaying the backward pass over the buffer: at each op's backward
/// step its output's gradient is read (by a sum: handed on to the sharing inputs), then its
/// inputs' gradients are written (first write or accumulation). An input joins a group only
/// if the replay shows that no write ever lands while another member still needs a gradient
/// that the write would overwrite. In a pre-activation ResNet every residual chain becomes one
/// group: each block's branch output and shortcut share the buffer of the sum after them.
struct GradientSharing {
    /// Each grouped value's group, as an index into `groups`.
    private(set) var groupOf: [ObjectIdentifier: Int] = [:]
    /// The members of each group: the root (the sum furthest down the graph) first.
    private(set) var groups: [[Value]] = []

    /// The most op steps the planner replays in all (ResNet-152 needs a few times 10^4, about
    /// 250 steps for each of its 100 candidates at most). Sharing only saves copies, so a graph
    /// that would cost more to plan (a symbol file chaining thousands of sums, which costs the
    /// square of its length) shares what it has planned by then and copies the rest.
    static let replayBudget = 2_000_000

    /// `ops` in forward order. Only op outputs join groups (never parameters or the data).
    init(ops: [any Op]) {
        var producer: [ObjectIdentifier: Int] = [:]
        var consumers: [ObjectIdentifier: [Int]] = [:]
        for (k, op) in ops.enumerated() {
            producer[ObjectIdentifier(op.output)] = k
            for v in op.inputs { consumers[ObjectIdentifier(v), default: []].append(k) }
        }
        var members: [[Value]] = []
        var budget = Self.replayBudget
        // Sums from the last to the first, so a sum's output is grouped before its inputs.
        planning: for (k, op) in ops.enumerated().reversed() {
            let candidates = op.gradientPassThroughInputs
            guard !candidates.isEmpty else { continue }
            let y = op.output
            for v in candidates {
                let id = ObjectIdentifier(v)
                guard v !== y, groupOf[id] == nil, producer[id] != nil, v.desc == y.desc,
                      !v.hasGradientBuffer, !y.hasGradientBuffer,
                      consumers[id]?.last == k, consumers[id]?.filter({ $0 == k }).count == 1 else { continue }
                let g = groupOf[ObjectIdentifier(y)] ?? members.count
                let trial = (g < members.count ? members[g] : [y]) + [v]
                // Only the steps between the earliest member's producer and the root's last
                // consumer touch the buffer.
                let first = trial.compactMap { producer[ObjectIdentifier($0)] }.min() ?? 0
                let last = consumers[ObjectIdentifier(trial[0])]?.last ?? k
                guard budget >= last - first + 1 else { break planning }
                budget -= last - first + 1
                guard Self.replayIsSafe(trial, ops: ops, steps: first...last) else { continue }
                if g == members.count {
                    members.append([y])
                    groupOf[ObjectIdentifier(y)] = g
                }
                members[g].append(v)
                groupOf[id] = g
            }
        }
        groups = members
    }

    /// Replays the backward pass (ops in reverse) over one shared buffer. `holders` are the
    /// members whose gradient the buffer currently holds (several only right after a sum
    /// handed the same gradient to its inputs). A write for a member is safe only when no other
    /// member still holds the buffer; a read needs the member to hold it.
    static func replayIsSafe(_ group: [Value], ops: [any Op], steps: ClosedRange<Int>) -> Bool {
        let ids = Set(group.map(ObjectIdentifier.init))
        var holders: Set<ObjectIdentifier> = []
        var finished: Set<ObjectIdentifier> = []
        for k in steps.reversed() where ops.indices.contains(k) {
            let op = ops[k]
            let output = ObjectIdentifier(op.output)
            let handedOn = Set(op.gradientPassThroughInputs.map(ObjectIdentifier.init)).intersection(ids)
            // The read of this op's output gradient.
            if ids.contains(output) {
                guard holders.contains(output) else { return false }
                holders.remove(output)
                finished.insert(output)
                if !handedOn.isEmpty {
                    guard holders.isEmpty else { return false }
                    holders = handedOn
                }
            }
            // The writes into its inputs' gradients (each input once, even if read twice).
            var written: Set<ObjectIdentifier> = []
            for v in op.inputs {
                let id = ObjectIdentifier(v)
                guard ids.contains(id), !written.contains(id), !handedOn.contains(id) || !ids.contains(output) else { continue }
                written.insert(id)
                // An op never writes an input's gradient over the output gradient it reads.
                guard !ids.contains(output), !finished.contains(id), holders.subtracting([id]).isEmpty else { return false }
                holders = [id]
            }
        }
        // Every member was read by its producer, and nothing is left holding the buffer.
        return holders.isEmpty && finished == ids
    }
}
