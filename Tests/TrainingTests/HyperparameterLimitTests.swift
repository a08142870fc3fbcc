import Foundation
import Testing
import Training

/// Integer hyperparameters that pass the old checks but overflow or over-allocate later are
/// refused up front, each with its valid range in the message.
@Suite struct HyperparameterLimitTests {
    static let required = ["num_classes": "10", "num_training_samples": "1000", "image_shape": "3,224,224", "num_layers": "18"]

    /// The single problem `extra` causes.
    func problem(_ extra: [String: String]) -> HyperparameterError.Problem? {
        do {
            _ = try Hyperparameters.parse(Self.required.merging(extra) { $1 })
            return nil
        } catch {
            return error.problems.count == 1 ? error.problems[0] : nil
        }
    }

    @Test(arguments: [
        ("resize", "1000000000000000000", "1...8192"),
        ("lr_scheduler_step", "9223372036854775807", "1...1000000"),
        ("lr_scheduler_step", "10, 99999999999999999999", "1...1000000"),
        ("num_classes", "9223372036854775807", "2...100000"),
        ("num_classes", "100001", "2...100000"),
        ("image_shape", "3,60000,60000", "H, W in 1...8192"),
        ("image_shape", "3,224,8193", "H, W in 1...8192"),
        ("num_training_samples", "1000000000001", "1...1000000000000"),
        ("epochs", "1000001", "1...1000000"),
        ("epochs", "99999999999999999999", "1...1000000"),
        ("mini_batch_size", "65537", "1...65536"),
        ("early_stopping_min_epochs", "9223372036854775807", "1...1000000"),
        ("early_stopping_patience", "1000001", "1...1000000"),
        ("checkpoint_frequency", "9223372036854775807", "1...1000000"),
        ("top_k", "9223372036854775807", "2...100000"),
    ])
    func hugeValuesAreOutOfRangeWithTheRange(name: String, value: String, range: String) throws {
        let found = try #require(problem([name: value]), "\(name)=\(value) was accepted")
        guard case let .outOfRange(problemName, given, valid) = found else {
            Issue.record("\(name)=\(value): \(found)")
            return
        }
        #expect(problemName == name && given == value)
        #expect(valid.contains(range), "\(valid)")
    }

    @Test func valuesAtTheLimitsAreAccepted() throws {
        let hp = try Hyperparameters.parse(Self.required.merging([
            "resize": "8192", "epochs": "1000000", "lr_scheduler_step": "1000000", "num_training_samples": "1000000000000",
            "mini_batch_size": "4096", "num_classes": "100000", "top_k": "100000",
        ]) { $1 })
        #expect(hp.resize == 8192 && hp.epochs == 1_000_000 && hp.numClasses == 100_000)
    }

    /// mini_batch_size x C x H x W is bounded too: each is in range, the product is not.
    @Test func aBatchTooLargeForMemoryIsAConflict() throws {
        let found = try #require(problem(["mini_batch_size": "65536", "image_shape": "3,8192,8192"]))
        guard case let .conflict(name, _, detail) = found else {
            Issue.record("\(found)")
            return
        }
        #expect(name == "mini_batch_size" && detail.contains("\(1 << 31)"), "\(detail)")
    }

    /// The schedule's steps in updates saturate instead of overflowing.
    @Test func scheduleStepsDoNotOverflow() {
        var hp = Hyperparameters(numClasses: 10, numTrainingSamples: Int.max)
        hp.miniBatchSize = 1
        hp.lrSchedulerStep = [3, Int.max]
        let schedule = LearningRateSchedule(hyperparameters: hp)
        #expect(schedule.steps == [Int.max, Int.max])
        #expect(schedule.rate(forUpdate: Int.max) == Float(hp.learningRate))
    }
}
