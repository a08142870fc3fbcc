import Compute
import Foundation
import Graph
import Testing
import Training

/// Golden values from MXNet 1.9.1, written by tools/make_optimizer_fixtures.py:
///
///     opt = mx.optimizer.create(name, param_idx2name={i: n ...}, learning_rate=..., wd=1e-4,
///                               rescale_grad=0.25, ...)
///     updater = mx.optimizer.get_updater(opt)
///     for k in range(3): updater(list(range(5)), grads[k], weights)   # as Module does
///
/// on conv0_weight, bn1_gamma, bn1_beta, fc1_weight, fc1_bias (weight decay on the first,
/// second and fourth only).
@Suite struct OptimizerGoldenTests {
    static let names = ["conv0_weight", "bn1_gamma", "bn1_beta", "fc1_weight", "fc1_bias"]

    static func optimizer(_ name: String) -> any Optimizer {
        switch name {
        case "sgd": return SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, rescaleGrad: 0.25)
        case "nag": return NAG(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, rescaleGrad: 0.25)
        case "adam": return Adam(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4, rescaleGrad: 0.25)
        default: return RMSProp(learningRate: 0.001, gamma1: 0.9, epsilon: 1e-8, weightDecay: 1e-4, rescaleGrad: 0.25)
        }
    }

    /// MXNet's state arrays per kind, in the order its create_state returns them.
    static let slots = ["sgd": ["mom"], "nag": ["mom"], "adam": ["mean", "var"], "rmsprop": ["n"]]

    @Test(arguments: ["sgd", "nag", "adam", "rmsprop"])
    func threeStepsMatchMXNet(_ name: String) throws {
        let inputs = try Fixtures.arrays("inputs.params")
        let expected = try Fixtures.arrays("\(name).params")
        let store = makeStore(Self.names.map { ($0, inputs["weight:" + $0]!.shape) })
        for n in Self.names { store.argument(n)!.copy(from: inputs["weight:" + n]!.floats()) }
        let optimizer = Self.optimizer(name)
        for step in 0..<3 {
            for n in Self.names { store.gradient(n)!.copy(from: inputs["grad\(step):\(n)"]!.floats()) }
            try optimizer.update(store)
            for n in Self.names {
                let e = relativeError(store.argument(n)!.toArray(), expected["after\(step + 1):\(n)"]!.floats())
                #expect(e <= 1e-6, "\(name) step \(step + 1) \(n): relative error \(e)")
            }
        }
        #expect(optimizer.updateCount == 3)
        let state = Dictionary(uniqueKeysWithValues: optimizer.stateArrays().map { ($0.name, $0.array) })
        for n in Self.names {
            for (k, slot) in Self.slots[name]!.enumerated() {
                let mine = try #require(state["opt:\(n):\(slot)"], "\(name): no state \(slot) for \(n)")
                let e = relativeError(mine.floats(), expected["state\(k):\(n)"]!.floats())
                #expect(e <= 1e-6, "\(name) state \(slot) of \(n): relative error \(e)")
            }
        }
    }

    /// Saving the state after one step and resuming in a new optimizer gives the same
    /// weights after three steps as running straight through.
    @Test(arguments: ["sgd", "nag", "adam", "rmsprop"])
    func resumeFromSavedState(_ name: String) throws {
        let inputs = try Fixtures.arrays("inputs.params")
        let expected = try Fixtures.arrays("\(name).params")
        let store = makeStore(Self.names.map { ($0, inputs["weight:" + $0]!.shape) })
        for n in Self.names { store.argument(n)!.copy(from: inputs["weight:" + n]!.floats()) }
        let first = Self.optimizer(name)
        for n in Self.names { store.gradient(n)!.copy(from: inputs["grad0:\(n)"]!.floats()) }
        try first.update(store)
        // Round trip through the .params encoding, as a checkpoint does.
        let saved = try ParamsFile.read(data: ParamsFile.encode(first.stateArrays()), source: "state")
        let second = Self.optimizer(name)
        try second.loadState(saved, parameters: store)
        #expect(second.updateCount == 1)
        for step in 1..<3 {
            for n in Self.names { store.gradient(n)!.copy(from: inputs["grad\(step):\(n)"]!.floats()) }
            try second.update(store)
        }
        for n in Self.names {
            let e = relativeError(store.argument(n)!.toArray(), expected["after3:\(n)"]!.floats())
            #expect(e <= 1e-6, "\(name) resumed, \(n): relative error \(e)")
        }
    }

    @Test func stateOfAnotherOptimizerOrModelIsRefused() throws {
        let store = makeStore([("fc1_weight", [2, 3])])
        store.gradient("fc1_weight")!.fill(1)
        let adam = Adam()
        try adam.update(store)
        #expect(throws: OptimizerStateError.self) { try SGD(learningRate: 0.1).loadState(adam.stateArrays(), parameters: store) }
        let other = makeStore([("fc1_weight", [3, 3])])
        #expect(throws: OptimizerStateError.shapeMismatch(name: "opt:fc1_weight:mean", expected: [3, 3], found: [2, 3])) {
            try Adam().loadState(adam.stateArrays(), parameters: other)
        }
        let missing = makeStore([("fc2_weight", [2, 3])])
        #expect(throws: OptimizerStateError.unknownParameter(name: "opt:fc1_weight:mean")) {
            try Adam().loadState(adam.stateArrays(), parameters: missing)
        }
    }

    @Test func schedulePlugsIntoUpdates() throws {
        let store = makeStore([("fc1_bias", [1])])
        let sgd = SGD(learningRate: 1, momentum: 0, weightDecay: 0, rescaleGrad: 1)
        sgd.schedule = LearningRateSchedule(baseRate: 1, factor: 0.5, steps: [2])
        store.gradient("fc1_bias")!.fill(1)
        var rates: [Float] = []
        for _ in 0..<4 { try sgd.update(store); rates.append(sgd.learningRate) }
        // Updates 1 and 2 at the base rate; from update 3 (num_update > 2) halved.
        #expect(rates == [1, 1, 0.5, 0.5])
        #expect(store.argument("fc1_bias")!.toArray() == [-3])
    }

    @Test func makeFollowsSageMakerNames() throws {
        var hp = Hyperparameters(numClasses: 2, numTrainingSamples: 10)
        for (name, expectedType) in [("sgd", SGD.self as Any.Type), ("nag", NAG.self), ("adam", Adam.self), ("rmsprop", RMSProp.self)] {
            hp.optimizer = try #require(OptimizerName(rawValue: name))
            let optimizer = Optimizers.make(hp, rescaleGrad: 0.5)
            #expect(ObjectIdentifier(type(of: optimizer)) == ObjectIdentifier(expectedType))
            #expect(optimizer.name == name)
            #expect(optimizer.rescaleGrad == 0.5)
            #expect(optimizer.learningRate == 0.1)
        }
        hp.optimizer = .rmsprop
        hp.gamma = 0.8
        let rms = try #require(Optimizers.make(hp, rescaleGrad: 1) as? RMSProp)
        #expect(rms.gamma1 == 0.8)
        #expect(rms.weightDecay == 0)  // SageMaker: weight_decay is for sgd and nag only
    }
}
