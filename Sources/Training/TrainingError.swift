import Foundation
import Graph
import Models
import Support

/// Why a training job could not run or go on. Each message says what to change.
public enum TrainingError: Error, CustomStringConvertible {
    case tooFewImages(channel: String, found: Int, miniBatchSize: Int)
    case missingChannel(name: String, path: String)
    case modelMismatch(String)
    case pretrained(String)
    case badCheckpoint(String)
    case unsupported(String)
    case badLabel(String)
    case unwritableFolder(role: String, path: String, reason: String)

    public var description: String {
        switch self {
        case let .tooFewImages(channel, found, batch):
            return "the number of input images must be at least mini_batch_size: the \(channel) channel has \(found) image(s), mini_batch_size is \(batch)"
        case let .missingChannel(name, path): return "the \(name) channel is missing: expected its data in \(path)"
        case let .modelMismatch(detail): return "the model channel does not match this job: \(detail)"
        case let .pretrained(detail): return "use_pretrained_model=1: \(detail)"
        case let .badCheckpoint(detail): return "cannot resume from the checkpoint folder: \(detail)"
        case let .unsupported(detail): return detail
        case let .badLabel(detail): return "invalid label: \(detail)"
        case let .unwritableFolder(role, path, reason):
            return "the \(role) folder \(path) is not writable: \(reason); choose a folder this job can create and write"
        }
    }
}
