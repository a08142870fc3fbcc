import Data
import Foundation
import Support
import Models

extension Hyperparameters {
    /// Every name the algorithm accepts, as SageMaker spells them.
    public static let knownNames: [String] = [
        "augmentation_type", "beta_1", "beta_2", "checkpoint_frequency", "early_stopping",
        "early_stopping_min_epochs", "early_stopping_patience", "early_stopping_tolerance",
        "epochs", "eps", "gamma", "image_shape", "kv_store", "learning_rate",
        "lr_scheduler_factor", "lr_scheduler_step", "mini_batch_size", "momentum",
        "multi_label", "num_classes", "num_layers", "num_training_samples", "optimizer",
        "precision_dtype", "resize", "top_k", "use_pretrained_model", "use_weighted_loss",
        "weight_decay",
    ]

    /// Names SageMaker itself adds to a job's hyperparameters (automatic model tuning);
    /// accepted and ignored.
    public static let serviceNames: Set<String> = ["_tuning_objective_metric"]

    /// Reads SageMaker's names and string values, checks every one of them (names, types,
    /// ranges, and the rules between them) and returns the result, or throws one error
    /// listing every problem found.
    public static func parse(_ raw: [String: String], source: String? = nil) throws(HyperparameterError) -> Hyperparameters {
        var reader = ValueReader(raw: raw)
        let known = Set(knownNames)
        for name in raw.keys.sorted() where !known.contains(name) && !serviceNames.contains(name) {
            reader.problems.append(.unknown(name: name, value: raw[name]!, suggestion: suggestion(for: name, among: knownNames)))
        }

        let numClasses = reader.int("num_classes", in: HyperparameterLimits.numClasses, required: true)
        let numTrainingSamples = reader.int("num_training_samples", in: HyperparameterLimits.numTrainingSamples, required: true)
        var hp = Hyperparameters(numClasses: numClasses ?? 2, numTrainingSamples: numTrainingSamples ?? 1)
        hp.augmentationType = reader.choice("augmentation_type", AugmentationType.self)
        hp.beta1 = reader.unitFloat("beta_1") ?? hp.beta1
        hp.beta2 = reader.unitFloat("beta_2") ?? hp.beta2
        hp.earlyStopping = reader.trueFalse("early_stopping") ?? hp.earlyStopping
        hp.earlyStoppingMinEpochs = reader.int("early_stopping_min_epochs", in: HyperparameterLimits.epochs) ?? hp.earlyStoppingMinEpochs
        hp.earlyStoppingPatience = reader.int("early_stopping_patience", in: HyperparameterLimits.epochs) ?? hp.earlyStoppingPatience
        hp.earlyStoppingTolerance = reader.unitFloat("early_stopping_tolerance") ?? hp.earlyStoppingTolerance
        let epochs = reader.int("epochs", in: HyperparameterLimits.epochs)
        hp.epochs = epochs ?? hp.epochs
        hp.eps = reader.unitFloat("eps") ?? hp.eps
        hp.gamma = reader.unitFloat("gamma") ?? hp.gamma
        let imageShape = reader.imageShape("image_shape")
        hp.imageShape = imageShape ?? hp.imageShape
        hp.kvStore = reader.choice("kv_store", KVStore.self)
        hp.learningRate = reader.unitFloat("learning_rate") ?? hp.learningRate
        hp.lrSchedulerFactor = reader.unitFloat("lr_scheduler_factor") ?? hp.lrSchedulerFactor
        hp.lrSchedulerStep = reader.steps("lr_scheduler_step", in: HyperparameterLimits.epochs) ?? hp.lrSchedulerStep
        hp.miniBatchSize = reader.int("mini_batch_size", in: HyperparameterLimits.miniBatchSize) ?? hp.miniBatchSize
        hp.momentum = reader.unitFloat("momentum") ?? hp.momentum
        let multiLabel = reader.zeroOne("multi_label")
        hp.multiLabel = multiLabel ?? hp.multiLabel
        let numLayers = reader.int("num_layers", in: 1...Int.max)
        hp.numLayers = numLayers ?? hp.numLayers
        // MXNet's optimizer registry lowercases names, so `SGD` and `Adam` work there.
        hp.optimizer = reader.choice("optimizer", OptimizerName.self, caseInsensitive: true) ?? hp.optimizer
        hp.precisionDtype = reader.choice("precision_dtype", PrecisionDType.self) ?? hp.precisionDtype
        hp.resize = reader.int("resize", in: HyperparameterLimits.resize)
        hp.topK = reader.int("top_k", in: HyperparameterLimits.topK)
        hp.usePretrainedModel = reader.zeroOne("use_pretrained_model") ?? hp.usePretrainedModel
        hp.useWeightedLoss = reader.zeroOne("use_weighted_loss") ?? hp.useWeightedLoss
        hp.weightDecay = reader.unitFloat("weight_decay") ?? hp.weightDecay

        // Rules between hyperparameters, checked only when the values they rest on are valid.
        let frequency = reader.int("checkpoint_frequency", in: HyperparameterLimits.epochs)
        if let frequency, frequency > hp.epochs, epochs != nil || raw["epochs"] == nil {
            reader.problems.append(.outOfRange(name: "checkpoint_frequency", value: raw["checkpoint_frequency"]!,
                                               valid: "an integer in [1, epochs] = [1, \(hp.epochs)]"))
        } else {
            hp.checkpointFrequency = frequency
        }
        if numLayers != nil || raw["num_layers"] == nil, imageShape != nil || raw["image_shape"] == nil {
            // One rule, the builder's: every depth MXNet's resnet.py makes for this height.
            let height = hp.imageShape[1]
            if !ResNet.builds(numLayers: hp.numLayers, height: height) {
                let value = raw["num_layers"] ?? "\(hp.numLayers) (the default)"
                reader.problems.append(.outOfRange(name: "num_layers", value: value,
                    valid: "for image height \(height) (\(height > 28 ? "> 28" : "<= 28")): \(ResNet.validNumLayers(height: height))"))
            }
        }
        if let k = hp.topK, numClasses != nil, k > hp.numClasses {
            reader.problems.append(.conflict(name: "top_k", value: raw["top_k"]!,
                                             detail: "larger than num_classes (\(hp.numClasses)); top-k accuracy would always be 1. Use 2...\(hp.numClasses) or remove top_k."))
        }
        if imageShape != nil || raw["image_shape"] == nil, raw["mini_batch_size"] == nil || reader.problems.allSatisfy({ $0.name != "mini_batch_size" }),
           HyperparameterLimits.batchElements(miniBatchSize: hp.miniBatchSize, imageShape: hp.imageShape) == nil {
            reader.problems.append(.conflict(name: "mini_batch_size", value: String(hp.miniBatchSize),
                detail: "one batch of image_shape \(hp.imageShape.map(String.init).joined(separator: ",")) images would hold more than \(HyperparameterLimits.maxBatchElements) values; mini_batch_size x C x H x W must be at most \(HyperparameterLimits.maxBatchElements)."))
        }

        if !reader.problems.isEmpty {
            let order = Dictionary(uniqueKeysWithValues: knownNames.enumerated().map { ($1, $0) })
            let problems = reader.problems.enumerated().sorted { a, b in
                let ka = order[a.element.name] ?? -1, kb = order[b.element.name] ?? -1
                return ka != kb ? ka < kb : a.offset < b.offset
            }.map(\.element)
            throw HyperparameterError(source: source, problems: problems)
        }
        return hp
    }

    /// Reads a JSON object of hyperparameters, as a `hyperparameters.json` holds them:
    /// string values, or numbers and booleans, which are turned into strings first.
    public static func parse(jsonObject data: Data, source: String) throws(HyperparameterError) -> Hyperparameters {
        try parse(stringValues(jsonObject: data, source: source), source: source)
    }

    /// The JSON object's values as strings (numbers and booleans converted; anything else
    /// is a problem naming the key).
    public static func stringValues(jsonObject data: Data, source: String) throws(HyperparameterError) -> [String: String] {
        // JSONDecoder keeps one of two values silently; a name given twice is named instead.
        if let key = JSONDuplicateKeys.first(in: data) {
            throw HyperparameterError(source: source, problems: [.malformedFile(source: source,
                detail: "the hyperparameter \"\(key)\" is given twice; give each name once")])
        }
        let object: [String: JSONScalar]
        do {
            object = try JSONDecoder().decode([String: JSONScalar].self, from: data)
        } catch {
            // JSONDecoder calls a number beyond range "not valid JSON" or a wrong type: name it and its key.
            if let number = JSONNumberRange.firstOutsideDouble(in: data) {
                throw HyperparameterError(source: source, problems: [.invalid(name: number.path, value: number.text,
                    expected: "a number inside the double range (magnitudes up to \(Double.greatestFiniteMagnitude))")])
            }
            if case let DecodingError.typeMismatch(_, context) = error, !context.codingPath.isEmpty {
                let key = context.codingPath[0].stringValue
                throw HyperparameterError(source: source, problems: [.invalid(name: key, value: "(not a scalar)",
                    expected: "a string, number or boolean value")])
            }
            throw HyperparameterError(source: source, problems: [.malformedFile(source: source,
                detail: "not a JSON object of hyperparameters (\(error))")])
        }
        return object.mapValues(\.text)
    }
}

/// A JSON string, number or boolean, kept as the text the hyperparameter parser reads.
struct JSONScalar: Decodable {
    var text: String

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { text = b ? "true" : "false"; return }
        if let i = try? c.decode(Int.self) { text = String(i); return }
        if let d = try? c.decode(Double.self) { text = "\(d)"; return }
        text = try c.decode(String.self)
    }
}

/// Reads one value at a time and collects every problem instead of stopping at the first.
private struct ValueReader {
    let raw: [String: String]
    var problems: [HyperparameterError.Problem] = []

    init(raw: [String: String]) { self.raw = raw }

    private func text(_ name: String) -> String? {
        raw[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        let expected = range.upperBound == Int.max ? "an integer >= \(range.lowerBound)"
            : "an integer in \(range.lowerBound)...\(range.upperBound)"
        guard let s = text(name) else {
            if required { problems.append(.missing(name: name, expected: expected)) }
            return nil
        }
        guard let v = Int(s) else {
            // Digits too large for Int are a range problem, not a syntax one.
            let digits = s.drop { $0 == "+" || $0 == "-" }
            if !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) {
                problems.append(.outOfRange(name: name, value: raw[name]!, valid: expected))
            } else {
                problems.append(.invalid(name: name, value: raw[name]!, expected: expected))
            }
            return nil
        }
        guard range.contains(v) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: expected))
            return nil
        }
        return v
    }

    /// A finite number in [0, 1].
    mutating func unitFloat(_ name: String) -> Double? {
        guard let s = text(name) else { return nil }
        guard let v = Double(s), v.isFinite, !s.lowercased().hasPrefix("0x") else {
            problems.append(.invalid(name: name, value: raw[name]!, expected: "a number in [0, 1]"))
            return nil
        }
        guard v >= 0 && v <= 1 else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: "a number in [0, 1]"))
            return nil
        }
        return v
    }

    /// One of `T`'s cases, by its raw value (the service's spelling).
    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type,
                                                             caseInsensitive: Bool = false) -> T? where T.RawValue == String {
        choice(name, T.allCases.map(\.rawValue), caseInsensitive: caseInsensitive).flatMap(T.init(rawValue:))
    }

    mutating func choice(_ name: String, _ options: [String], caseInsensitive: Bool = false) -> String? {
        guard let given = text(name) else { return nil }
        let s = caseInsensitive ? given.lowercased() : given
        guard options.contains(s) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: "one of \(options.joined(separator: ", "))"))
            return nil
        }
        return s
    }

    /// `true` or `false`, in any case.
    mutating func trueFalse(_ name: String) -> Bool? {
        guard let s = text(name) else { return nil }
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default:
            problems.append(.invalid(name: name, value: raw[name]!, expected: "true or false"))
            return nil
        }
    }

    /// `0` or `1`.
    mutating func zeroOne(_ name: String) -> Bool? {
        guard let s = text(name) else { return nil }
        switch s {
        case "0": return false
        case "1": return true
        default:
            problems.append(.invalid(name: name, value: raw[name]!, expected: "0 or 1"))
            return nil
        }
    }

    /// "C,H,W" with optional spaces; C in {1, 3}, H and W >= 1.
    mutating func imageShape(_ name: String) -> [Int]? {
        guard let s = text(name) else { return nil }
        guard let shape = ImageShape.parse(s) else {
            problems.append(.invalid(name: name, value: raw[name]!, expected: "\"C,H,W\" with three integers, e.g. \"3,224,224\""))
            return nil
        }
        guard ImageShape.isValid(shape) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: PreprocessingLimits.imageShapeRange))
            return nil
        }
        return shape
    }

    /// Comma-separated strictly increasing epochs within `range`, e.g. "10, 20".
    mutating func steps(_ name: String, in range: ClosedRange<Int>) -> [Int]? {
        guard let s = text(name) else { return nil }
        let texts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let parts = texts.map { Int($0) }
        let valid = "epochs in \(range.lowerBound)...\(range.upperBound) in increasing order, e.g. \"10, 20\""
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            // Digits too large for Int are a range problem, not a syntax one.
            let tooLarge = zip(texts, parts).contains { text, part in part == nil && !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
            problems.append(tooLarge ? .outOfRange(name: name, value: raw[name]!, valid: valid)
                                     : .invalid(name: name, value: raw[name]!, expected: "comma-separated epochs, e.g. \"10, 20\""))
            return nil
        }
        let steps = parts.map { $0! }
        guard steps.allSatisfy(range.contains), zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: valid))
            return nil
        }
        return steps
    }
}
