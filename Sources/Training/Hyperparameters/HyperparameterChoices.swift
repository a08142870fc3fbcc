import ImageData

// The hyperparameters whose values are a closed set, as enums. Each raw value is the
// service's spelling, which `hyperparameters.json` holds; the case order is the order the
// error messages list them in.

/// `optimizer`: which of MXNet's optimizers updates the weights.
public enum OptimizerName: String, CaseIterable, Codable, Sendable {
    case sgd, adam, rmsprop, nag
}

/// `kv_store`: how the machines of a distributed job combine their gradients.
public enum KVStore: String, CaseIterable, Codable, Sendable {
    case distSync = "dist_sync"
    case distAsync = "dist_async"
}

/// `precision_dtype`: `float16` trains in bf16 mixed precision on CPUs that have it.
public enum PrecisionDType: String, CaseIterable, Codable, Sendable {
    case float32, float16
}

/// `augmentation_type` is Data's enum (the augmenter's knobs); Hyperparameters is Codable,
/// so its value is too, as its raw value.
extension AugmentationType: Codable {}
