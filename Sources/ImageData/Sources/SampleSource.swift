import Foundation
import Support

/// What a label column means: one class index, or a multi-hot vector of `numClasses`.
public struct LabelSpec: Sendable, Equatable {
    /// Number of classes; labels must lie in `0..<numClasses`. `nil` skips the range check.
    public var numClasses: Int?
    /// Multi-label: each sample carries a multi-hot vector of `numClasses` values.
    public var multiLabel: Bool

    public init(numClasses: Int?, multiLabel: Bool = false) {
        self.numClasses = numClasses
        self.multiLabel = multiLabel
    }

    /// Floats per sample in a batch's label buffer.
    public var width: Int { multiLabel ? (numClasses ?? 1) : 1 }
}

/// One image of a file-based data set: its label(s), where its bytes are, and how to name it
/// in an error message (file and line of the list that named it).
public struct Sample: Sendable, Equatable {
    public var labels: [Float]
    /// The image file.
    public var file: URL
    /// Names the sample for a user: e.g. `train.lst:12 (cat/img1.jpg)`.
    public var reference: String

    public init(labels: [Float], file: URL, reference: String) {
        self.labels = labels
        self.file = file
        self.reference = reference
    }
}

/// A loaded sample: labels and the encoded image bytes (JPEG or PNG) starting at `imageOffset`.
public struct RawSample: Sendable {
    public var labels: [Float]
    public var bytes: [UInt8]
    public var imageOffset: Int
    public var reference: String

    public init(labels: [Float], bytes: [UInt8], imageOffset: Int = 0, reference: String) {
        self.labels = labels
        self.bytes = bytes
        self.imageOffset = imageOffset
        self.reference = reference
    }

    /// The encoded image alone (copies only when a header precedes it).
    public var imageBytes: [UInt8] {
        imageOffset == 0 ? bytes : Array(bytes[imageOffset...])
    }
}

/// A data set with random access: the loader shuffles indices and asks for samples from
/// several threads at once, so `load(at:)` must be thread-safe.
public protocol SampleSource: AnyObject, Sendable {
    /// Number of samples.
    var count: Int { get }
    /// A name for sample `index` in messages (file and line, or record number).
    func reference(at index: Int) -> String
    /// Reads sample `index`'s labels and encoded bytes. Called from many threads.
    func load(at index: Int) throws -> RawSample
    /// Sample `index`'s labels alone (without reading the image when the source can).
    func labels(at index: Int) throws -> [Float]
}

extension SampleSource {
    public func labels(at index: Int) throws -> [Float] { try load(at: index).labels }
}

/// A sequential data set read once per epoch (pipe mode): no count, no seeking.
public protocol SampleStream {
    /// The next sample, or nil at the end of the stream.
    mutating func next() throws -> RawSample?
}

/// Samples that live in files (a `.lst` folder, class folders, a manifest).
// Unchecked Sendable: immutable after init; loads only read files.
public final class FileSampleSource: SampleSource, @unchecked Sendable {
    public let samples: [Sample]
    /// Class names by index when the layout names them (class folders); else empty.
    public let classNames: [String]

    public init(samples: [Sample], classNames: [String] = []) {
        self.samples = samples
        self.classNames = classNames
    }

    public var count: Int { samples.count }

    public func reference(at index: Int) -> String { samples[index].reference }

    public func labels(at index: Int) throws -> [Float] { samples[index].labels }

    public func load(at index: Int) throws -> RawSample {
        let sample = samples[index]
        do {
            let data = try Data(contentsOf: sample.file, options: .mappedIfSafe)
            return RawSample(labels: sample.labels, bytes: [UInt8](data), reference: sample.reference)
        } catch {
            throw DatasetError.badSample(reference: sample.reference, reason: "cannot read \(sample.file.path): \(SystemErrorText.of(error))")
        }
    }
}
