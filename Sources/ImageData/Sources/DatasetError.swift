import Foundation

/// Why a data set could not be opened or read.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data failed validation; the report lists every problem with its file and line.
    case invalid(ValidationReport)
    /// The channel holds no samples.
    case empty(channel: String, detail: String)
    /// A file or folder could not be read.
    case unreadable(path: String, reason: String)
    /// The channel's layout is not one we recognise.
    case unrecognizedLayout(channel: String, detail: String)
    /// A sample could not be loaded while training (its reference and the reason).
    case badSample(reference: String, reason: String)
    /// A record's label is not a class of this job (NaN, out of range, wrong count).
    case badLabel(reference: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let report): return report.description
        case .empty(let channel, let detail): return "channel '\(channel)' is empty: \(detail)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .unrecognizedLayout(let channel, let detail): return "channel '\(channel)': \(detail)"
        case .badSample(let reference, let reason): return "\(reference): \(reason)"
        case .badLabel(let reference, let reason): return "\(reference): invalid label: \(reason)"
        }
    }
}
