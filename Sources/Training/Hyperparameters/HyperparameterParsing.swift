import ImageData
import Foundation
import Support
import Models

extension Hyperparameters {
    /// Every name the algorithm accepts, as SageMaker spells them, in ``HyperparameterTable``'s order.
    public static let knownNames: [String] = HyperparameterTable.all.map(\.name)

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

        // The two required values start as placeholders; their reads replace them (or report them).
        var hp = Hyperparameters(numClasses: 2, numTrainingSamples: 1)
        for descriptor in HyperparameterTable.all {
            descriptor.read(&reader, into: &hp)
        }

        // Rules between hyperparameters, checked only when the values they rest on are valid.
        if let frequency = hp.checkpointFrequency, frequency > hp.epochs, reader.isValid("epochs") {
            reader.problems.append(.outOfRange(name: "checkpoint_frequency", value: raw["checkpoint_frequency"] ?? String(frequency),
                                               valid: "an integer in [1, epochs] = [1, \(hp.epochs)]"))
            hp.checkpointFrequency = nil
        }
        if reader.isValid("num_layers"), reader.isValid("image_shape") {
            // One rule, the builder's: every depth MXNet's resnet.py makes for this height.
            let height = hp.imageShape[1]
            if !ResNet.builds(numLayers: hp.numLayers, height: height) {
                let value = raw["num_layers"] ?? "\(hp.numLayers) (the default)"
                reader.problems.append(.outOfRange(name: "num_layers", value: value,
                    valid: "for image height \(height) (\(height > 28 ? "> 28" : "<= 28")): \(ResNet.validNumLayers(height: height))"))
            }
        }
        if let k = hp.topK, reader.isValid("num_classes"), k > hp.numClasses {
            reader.problems.append(.conflict(name: "top_k", value: raw["top_k"] ?? String(k),
                                             detail: "larger than num_classes (\(hp.numClasses)); top-k accuracy would always be 1. Use 2...\(hp.numClasses) or remove top_k."))
        }
        if reader.isValid("image_shape"), reader.isValid("mini_batch_size"),
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

