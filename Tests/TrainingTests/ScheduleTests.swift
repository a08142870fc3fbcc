import Foundation
import Testing
import Training

/// MXNet 1.9.1's MultiFactorScheduler, called with num_update = 1, 2, ... in order, with
/// steps at ceil(num_training_samples / machines / mini_batch_size) * e (schedule.json,
/// written by tools/make_optimizer_fixtures.py).
@Suite struct ScheduleTests {
    struct Case: Decodable {
        var num_training_samples: Int
        var mini_batch_size: Int
        var machines: Int
        var steps: [Int]
        var factor: Double
        var learning_rate: Double
        var epoch_size: Int
        var update_steps: [Int]
        var rates: [Double]
    }

    @Test func matchesMXNetMultiFactorScheduler() throws {
        let data = try Data(contentsOf: Fixtures.optimizers.appendingPathComponent("schedule.json"))
        let cases = try JSONDecoder().decode([Case].self, from: data)
        #expect(cases.count >= 4)
        for c in cases {
            var hp = Hyperparameters(numClasses: 2, numTrainingSamples: c.num_training_samples)
            hp.miniBatchSize = c.mini_batch_size
            hp.lrSchedulerStep = c.steps
            hp.lrSchedulerFactor = c.factor
            hp.learningRate = c.learning_rate
            let schedule = LearningRateSchedule(hyperparameters: hp, machines: c.machines)
            #expect(schedule.steps == c.update_steps)
            for (i, expected) in c.rates.enumerated() {
                #expect(schedule.rate(forUpdate: i + 1) == Float(expected), "update \(i + 1) of \(c.update_steps)")
                #expect(schedule.rate(afterUpdates: i) == Float(expected))
            }
        }
    }

    @Test func noStepsMeansConstantRate() {
        var hp = Hyperparameters(numClasses: 2, numTrainingSamples: 100)
        hp.learningRate = 0.05
        let schedule = LearningRateSchedule(hyperparameters: hp)
        #expect(schedule.steps.isEmpty)
        #expect(schedule.rate(afterUpdates: 0) == 0.05)
        #expect(schedule.rate(afterUpdates: 1_000_000) == 0.05)
    }

    @Test func epochSizeRoundsUp() {
        #expect(LearningRateSchedule.epochSize(samples: 1000, machines: 1, batch: 32) == 32)
        #expect(LearningRateSchedule.epochSize(samples: 1001, machines: 2, batch: 25) == 21)
        #expect(LearningRateSchedule.epochSize(samples: 7, machines: 1, batch: 8) == 1)
    }
}
