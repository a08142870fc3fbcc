import Foundation
import Testing
import Training

@Suite struct HyperparameterTests {
    static let required = ["num_classes": "10", "num_training_samples": "1000"]

    func parse(_ extra: [String: String]) throws(HyperparameterError) -> Hyperparameters {
        try Hyperparameters.parse(Self.required.merging(extra) { $1 })
    }

    func problems(_ raw: [String: String]) -> [HyperparameterError.Problem] {
        do {
            _ = try Hyperparameters.parse(raw)
            return []
        } catch {
            return error.problems
        }
    }

    /// hyperparameters.json with a name given twice: an error naming it, not the last value.
    @Test func aNameGivenTwiceIsNamed() throws {
        let data = Data(#"{"num_classes": "10", "epochs": "3", "num_training_samples": "100", "epochs": "30"}"#.utf8)
        #expect { _ = try Hyperparameters.stringValues(jsonObject: data, source: "hyperparameters.json") } throws: { error in
            "\(error)".contains("hyperparameters.json") && "\(error)".contains("the hyperparameter \"epochs\" is given twice")
        }
    }

    /// A number beyond Double's range (hyperparameters are read as Double) is named with its
    /// key rather than "not a scalar" or "not a JSON object".
    @Test func aNumberOutsideTheFloatRangeIsNamed() throws {
        let data = Data(#"{"num_classes": 10, "learning_rate": 1e400}"#.utf8)
        #expect { _ = try Hyperparameters.stringValues(jsonObject: data, source: "hyperparameters.json") } throws: { error in
            "\(error)".contains("learning_rate") && "\(error)".contains("1e400") && "\(error)".contains("double range")
        }
    }

    /// A value or name holding NUL, a line break or a terminal escape is shown escaped, so
    /// it can neither cut the message nor forge a line of the log.
    @Test func controlCharactersAreShownEscaped() throws {
        #expect { _ = try parse(["epochs": "3\u{0}\n4\u{1B}[2J"]) } throws: { error in
            let text = "\(error)"
            return text.contains(#"epochs="3\0\n4\u{1B}[2J""#) && !text.contains("\u{0}") && !text.contains("\u{1B}")
        }
        #expect { _ = try parse(["epo\nchs": "3"]) } throws: { "\($0)".contains(#"epo\nchs="3""#) }
    }

    @Test func defaultsAreSageMakers() throws {
        let hp = try parse([:])
        #expect(hp.numClasses == 10 && hp.numTrainingSamples == 1000)
        #expect(hp.augmentationType == nil)
        #expect(hp.beta1 == 0.9 && hp.beta2 == 0.999)
        #expect(hp.checkpointFrequency == nil)
        #expect(!hp.earlyStopping && hp.earlyStoppingMinEpochs == 10 && hp.earlyStoppingPatience == 5 && hp.earlyStoppingTolerance == 0)
        #expect(hp.epochs == 30 && hp.eps == 1e-8 && hp.gamma == 0.9)
        #expect(hp.imageShape == [3, 224, 224])
        #expect(hp.kvStore == nil)
        #expect(hp.learningRate == 0.1 && hp.lrSchedulerFactor == 0.1 && hp.lrSchedulerStep.isEmpty)
        #expect(hp.miniBatchSize == 32 && hp.momentum == 0.9)
        #expect(!hp.multiLabel && hp.numLayers == 152 && hp.optimizer == .sgd && hp.precisionDtype == .float32)
        #expect(hp.resize == nil && hp.topK == nil && !hp.usePretrainedModel && !hp.useWeightedLoss)
        #expect(hp.weightDecay == 0.0001)
        #expect(hp == Hyperparameters(numClasses: 10, numTrainingSamples: 1000))
    }

    @Test func readsEveryNameAndFormat() throws {
        let hp = try parse([
            "augmentation_type": "crop_color_transform", "beta_1": "0.8", "beta_2": "0.99",
            "checkpoint_frequency": "2", "early_stopping": "True", "early_stopping_min_epochs": "3",
            "early_stopping_patience": "2", "early_stopping_tolerance": "0.01", "epochs": "6",
            "eps": "1e-7", "gamma": "0.95", "image_shape": " 1, 28 ,28", "kv_store": "dist_sync",
            "learning_rate": "0.05", "lr_scheduler_factor": "0.5", "lr_scheduler_step": "2, 4",
            "mini_batch_size": "64", "momentum": "0", "multi_label": "1", "num_layers": "20",
            "optimizer": "nag", "precision_dtype": "float16", "resize": "32", "top_k": "3",
            "use_pretrained_model": "1", "use_weighted_loss": "1", "weight_decay": "0",
        ])
        #expect(hp.augmentationType == .cropColorTransform)
        #expect(hp.beta1 == 0.8 && hp.beta2 == 0.99 && hp.checkpointFrequency == 2)
        #expect(hp.earlyStopping && hp.earlyStoppingMinEpochs == 3 && hp.earlyStoppingPatience == 2)
        #expect(hp.earlyStoppingTolerance == 0.01 && hp.epochs == 6 && hp.eps == 1e-7 && hp.gamma == 0.95)
        #expect(hp.imageShape == [1, 28, 28] && hp.kvStore == .distSync)
        #expect(hp.learningRate == 0.05 && hp.lrSchedulerFactor == 0.5 && hp.lrSchedulerStep == [2, 4])
        #expect(hp.miniBatchSize == 64 && hp.momentum == 0 && hp.multiLabel && hp.numLayers == 20)
        #expect(hp.optimizer == .nag && hp.precisionDtype == .float16 && hp.resize == 32 && hp.topK == 3)
        #expect(hp.usePretrainedModel && hp.useWeightedLoss && hp.weightDecay == 0)
        // What goes into the artifact reads back as the same values.
        #expect(try Hyperparameters.parse(hp.asStrings) == hp)
        #expect(hp.asStrings["image_shape"] == "1,28,28")
        #expect(hp.asStrings["lr_scheduler_step"] == "2,4")
        #expect(hp.asStrings["early_stopping"] == "true")
        #expect(hp.asStrings["multi_label"] == "1")
    }

    @Test func defaultsRoundTripThroughStrings() throws {
        let hp = try parse([:])
        let strings = hp.asStrings
        #expect(strings["learning_rate"] == "0.1")
        #expect(strings["eps"] == "1e-08")
        #expect(strings["checkpoint_frequency"] == nil && strings["kv_store"] == nil && strings["top_k"] == nil)
        #expect(try Hyperparameters.parse(strings) == hp)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = problems([
            "num_classes": "1", "learning_rate": "1.5", "mini_batch_size": "abc",
            "epochs": "5", "checkpoint_frequency": "6", "optimizer": "adamw",
            "image_shape": "4,224,224", "early_stopping": "yes", "multi_label": "true",
            "lr_scheduler_step": "20,10", "learnig_rate": "0.1", "top_k": "1",
            "kv_store": "local", "precision_dtype": "bf16", "augmentation_type": "flip",
            "resize": "0", "use_pretrained_model": "2",
        ])
        let names = Set(found.map(\.name))
        #expect(names == ["num_classes", "num_training_samples", "learning_rate", "mini_batch_size",
                          "checkpoint_frequency", "optimizer", "image_shape", "early_stopping", "multi_label",
                          "lr_scheduler_step", "learnig_rate", "top_k", "kv_store", "precision_dtype",
                          "augmentation_type", "resize", "use_pretrained_model"])
        #expect(found.contains(.missing(name: "num_training_samples", expected: "an integer in 1...1000000000000")))
        #expect(found.contains(.unknown(name: "learnig_rate", value: "0.1", suggestion: "learning_rate")))
        #expect(found.contains(.outOfRange(name: "learning_rate", value: "1.5", valid: "a number in [0, 1]")))
        #expect(found.contains(.invalid(name: "mini_batch_size", value: "abc", expected: "an integer in 1...65536")))
    }

    @Test func messageNamesEachProblemOnItsOwnLine() {
        do {
            _ = try Hyperparameters.parse(["num_classes": "ten", "num_training_samples": "100", "epoch": "3"], source: "hyperparameters.json")
            Issue.record("expected an error")
        } catch {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].contains("2 problems") && lines[0].contains("hyperparameters.json"))
            #expect(error.description.contains("epoch=\"3\": unknown hyperparameter. Did you mean \"epochs\"?"))
            #expect(error.description.contains("num_classes=\"ten\": not valid; expected an integer in 2...100000"))
        }
    }

    @Test func rangesFromTheSpec() {
        #expect(problems(Self.required.merging(["learning_rate": "0", "momentum": "1", "eps": "1"]) { $1 }).isEmpty)
        #expect(problems(Self.required.merging(["learning_rate": "-0.1"]) { $1 }).map(\.name) == ["learning_rate"])
        #expect(problems(Self.required.merging(["weight_decay": "nan"]) { $1 }).map(\.name) == ["weight_decay"])
        #expect(problems(Self.required.merging(["gamma": "inf"]) { $1 }).map(\.name) == ["gamma"])
        #expect(problems(["num_classes": "2", "num_training_samples": "0"]).map(\.name) == ["num_training_samples"])
        #expect(problems(Self.required.merging(["epochs": "0"]) { $1 }).map(\.name) == ["epochs"])
        #expect(problems(Self.required.merging(["top_k": "11"]) { $1 }).map(\.name) == ["top_k"])
        #expect(problems(Self.required.merging(["epochs": "4", "checkpoint_frequency": "4"]) { $1 }).isEmpty)
        #expect(problems(Self.required.merging(["checkpoint_frequency": "0"]) { $1 }).map(\.name) == ["checkpoint_frequency"])
        #expect(problems(Self.required.merging(["lr_scheduler_step": "0,3"]) { $1 }).map(\.name) == ["lr_scheduler_step"])
        #expect(problems(Self.required.merging(["lr_scheduler_step": "3,3"]) { $1 }).map(\.name) == ["lr_scheduler_step"])
        #expect(problems(Self.required.merging(["lr_scheduler_step": "a"]) { $1 }).map(\.name) == ["lr_scheduler_step"])
        #expect(problems(Self.required.merging(["image_shape": "3,224"]) { $1 }).map(\.name) == ["image_shape"])
        #expect(problems(Self.required.merging(["early_stopping": "FALSE"]) { $1 }).isEmpty)
        // The service documents use_weighted_loss as used only with multi_label=1: not an error
        // without it (the trainer says it is ignored).
        #expect(problems(Self.required.merging(["use_weighted_loss": "1"]) { $1 }).isEmpty)
    }

    @Test func numLayersDependsOnImageHeight() {
        #expect(problems(Self.required.merging(["num_layers": "18"]) { $1 }).isEmpty)
        #expect(problems(Self.required.merging(["num_layers": "20"]) { $1 }).map(\.name) == ["num_layers"])
        #expect(problems(Self.required.merging(["image_shape": "3,28,28", "num_layers": "56"]) { $1 }).isEmpty)
        // MXNet's resnet.py builds these at height <= 28 (50 and 152 as 6n+2, 164 and 200 as
        // 9n+2 bottleneck networks), so the service's default depth works for MNIST-sized jobs.
        for depth in ["50", "152", "164", "200"] {
            #expect(problems(Self.required.merging(["image_shape": "3,28,28", "num_layers": depth]) { $1 }).isEmpty, "\(depth)")
        }
        #expect(problems(Self.required.merging(["image_shape": "1,28,28"]) { $1 }).isEmpty)
        // 18, 34 and 101 have no small-image form: say so rather than fail later.
        for depth in ["18", "34", "101"] {
            let found = problems(Self.required.merging(["image_shape": "1,28,28", "num_layers": depth]) { $1 })
            #expect(found.map(\.name) == ["num_layers"], "\(depth)")
            #expect(found.first?.description.contains("20, 32, 44, 50, 56, 110, 152, 200") == true)
        }
        // A bad image_shape is reported alone, not as a num_layers problem too.
        #expect(problems(Self.required.merging(["image_shape": "3,x,28", "num_layers": "20"]) { $1 }).map(\.name) == ["image_shape"])
    }

    @Test func optimizerNamesAreCaseInsensitiveAsInMXNetsRegistry() throws {
        for name in ["SGD", "Adam", "RMSProp", "NAG", "sgd"] {
            let hp = try Hyperparameters.parse(Self.required.merging(["optimizer": name]) { $1 })
            #expect(hp.optimizer.rawValue == name.lowercased())
        }
        #expect(problems(Self.required.merging(["optimizer": "adagrad"]) { $1 }).map(\.name) == ["optimizer"])
    }

    @Test func jsonFileWithStringsNumbersAndBooleans() throws {
        let json = #"{"num_classes": 3, "num_training_samples": "50", "learning_rate": 0.01, "early_stopping": true, "multi_label": 0, "image_shape": "3, 32, 32", "num_layers": 18}"#
        let hp = try Hyperparameters.parse(jsonObject: Data(json.utf8), source: "hp.json")
        #expect(hp.numClasses == 3 && hp.numTrainingSamples == 50 && hp.learningRate == 0.01)
        #expect(hp.earlyStopping && !hp.multiLabel && hp.imageShape == [3, 32, 32] && hp.numLayers == 18)
    }

    @Test func malformedJSONNamesTheFile() {
        #expect(throws: HyperparameterError.self) { try Hyperparameters.parse(jsonObject: Data("[1,2]".utf8), source: "hp.json") }
        // #expect(throws:) fails the test if parsing ever stops throwing here.
        let error = #expect(throws: HyperparameterError.self) {
            try Hyperparameters.parse(jsonObject: Data(#"{"num_classes": [2]}"#.utf8), source: "hp.json")
        }
        #expect(error?.problems.map(\.name) == ["num_classes"])
        #expect(error?.description.contains("hp.json") == true)
    }

    @Test func tuningMetricIsAccepted() throws {
        // SageMaker adds it for automatic model tuning: not a problem, and the job's own values stand.
        #expect(problems(Self.required.merging(["_tuning_objective_metric": "validation:accuracy"]) { $1 }).isEmpty)
        let hp = try parse(["_tuning_objective_metric": "validation:accuracy"])
        #expect(hp.numClasses == 10 && hp.numTrainingSamples == 1000)
    }

    @Test func suggestionsForTypos() {
        let found = problems(Self.required.merging(["mini-batch-size": "8", "Epochs": "3", "zzz": "1"]) { $1 })
        #expect(found.contains(.unknown(name: "mini-batch-size", value: "8", suggestion: "mini_batch_size")))
        #expect(found.contains(.unknown(name: "Epochs", value: "3", suggestion: "epochs")))
        #expect(found.contains(.unknown(name: "zzz", value: "1", suggestion: nil)))
    }
}
