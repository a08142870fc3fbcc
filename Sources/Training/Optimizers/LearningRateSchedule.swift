/// The step learning-rate schedule of SageMaker's algorithm: MXNet's `MultiFactorScheduler`
/// with its steps at `epoch_size * e` updates for each epoch `e` in `lr_scheduler_step`.
///
/// MXNet calls the scheduler with `num_update`, the number of the update about to be
/// applied (1 for the first), and multiplies the rate by the factor once `num_update`
/// is strictly greater than a step. So with steps at 64 updates, updates 1...64 use the
/// base rate and update 65 the first reduced one.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The rate before any step.
    public var baseRate: Double
    /// What the rate is multiplied by at each step.
    public var factor: Double
    /// The update counts at which the rate drops, increasing.
    public var steps: [Int]

    /// A schedule with its steps given in updates.
    public init(baseRate: Double, factor: Double, steps: [Int]) {
        self.baseRate = baseRate
        self.factor = factor
        self.steps = steps
    }

    /// SageMaker's schedule: `epoch_size = ceil(num_training_samples / machines /
    /// mini_batch_size)` updates per epoch, a step at `epoch_size * e` for each `e` in
    /// `lr_scheduler_step` (none when it is unset: a constant rate).
    public init(hyperparameters hp: Hyperparameters, machines: Int = 1) {
        let epochSize = Self.epochSize(samples: hp.numTrainingSamples, machines: machines, batch: hp.miniBatchSize)
        self.init(baseRate: hp.learningRate, factor: hp.lrSchedulerFactor, steps: hp.lrSchedulerStep.map { epoch in
            // A step past Int.max updates is never reached: saturate rather than overflow.
            let (updates, overflow) = epoch.multipliedReportingOverflow(by: epochSize)
            return overflow ? Int.max : updates
        })
    }

    /// Updates per epoch on one machine: `ceil(samples / machines / batch)`, at least 1.
    public static func epochSize(samples: Int, machines: Int, batch: Int) -> Int {
        // MXNet computes this in floating point; Double is exact for any realistic count.
        let size = (Double(samples) / Double(max(machines, 1)) / Double(max(batch, 1))).rounded(.up)
        // Double(Int.max) is 2^63, itself too large for Int: saturate at and past it.
        return size >= Double(Int.max) ? Int.max : max(1, Int(size))
    }

    /// The rate MXNet uses for update number `update` (its `num_update`, 1-based).
    public func rate(forUpdate update: Int) -> Float {
        // MXNet multiplies the running rate by the factor once per step passed, in double
        // precision; doing the same keeps the float32 rate bit-identical.
        var rate = baseRate
        for step in steps where update > step { rate *= factor }
        return Float(rate)
    }

    /// The rate for the next update when `updates` updates have already been applied.
    public func rate(afterUpdates updates: Int) -> Float {
        rate(forUpdate: updates + 1)
    }
}
