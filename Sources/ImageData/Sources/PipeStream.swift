import Foundation
import Support

/// Pipe mode: a channel arrives as a stream of RecordIO records (a FIFO per epoch), read
/// once from start to end, no index, no seeking.
public struct PipeRecordStream: SampleStream {
    /// What each record (or pair of records) holds.
    public enum Layout: Sendable {
        /// Image records: header with the label(s), then the encoded image.
        case imageRecords
        /// Augmented manifest: the image bytes in one record, the label text in the next.
        case manifest(ManifestOptions)
    }

    private var reader: RecordIOStreamReader
    private let layout: Layout
    private let labels: LabelSpec
    private let source: String
    private var position = 0
    /// Whether a record with an invalid label ends the stream with an error (the default),
    /// or comes back as a bad sample that the loader skips and counts.
    private let badLabelsFail: Bool

    public init(fileHandle: FileHandle, source: String, layout: Layout, labels: LabelSpec, badLabelsFail: Bool = true) {
        self.reader = RecordIOStreamReader(fileHandle: fileHandle, source: source)
        self.layout = layout
        self.labels = labels
        self.source = source
        self.badLabelsFail = badLabelsFail
    }

    private func labelError(_ reference: String, _ reason: String) -> DatasetError {
        badLabelsFail ? .badLabel(reference: reference, reason: reason) : .badSample(reference: reference, reason: "invalid label: " + reason)
    }

    /// The next sample. Structural errors (a broken stream) throw; a record whose labels are
    /// wrong still comes back, with an error the loader counts as a bad sample.
    public mutating func next() throws -> RawSample? {
        guard let payload = try reader.next() else { return nil }
        let reference = "\(source) record \(position)"
        position += 1
        switch layout {
        case .imageRecords:
            let (header, imageOffset) = try ImageRecordHeader.unpack(payload, source: reference)
            let values = header.allLabels
            // The same check File mode makes: a NaN or out-of-range label must not reach the loss.
            if let problem = LabelCheck.recordProblem(values, spec: labels) {
                throw labelError(reference, problem)
            }
            return RawSample(labels: values, bytes: payload, imageOffset: imageOffset, reference: reference)
        case .manifest(let options):
            guard let labelRecord = try reader.next() else {
                throw DatasetError.badSample(reference: reference, reason: "stream ends after an image record; expected its label record next")
            }
            position += 1
            let text = String(decoding: labelRecord, as: UTF8.self)
            let value: Any = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
            switch AugmentedManifest.parseLabel(value, options: options) {
            case .success(let l): return RawSample(labels: l, bytes: payload, reference: reference)
            case .failure(let p): throw labelError(reference, "label record: \(p.message)")
            }
        }
    }
}

extension PipeRecordStream {
    /// Opens epoch `epoch`'s stream of `channel` in `dataDirectory`: the FIFO (or file)
    /// named `<channel>_<epoch>`, as SageMaker's Pipe mode lays them out.
    public static func open(dataDirectory: URL, channel: String, epoch: Int, layout: Layout,
                            labels: LabelSpec, badLabelsFail: Bool = false) throws(DatasetError) -> PipeRecordStream {
        try open(dataDirectory.appendingPathComponent("\(channel)_\(epoch)"), channel: channel, epoch: epoch,
                 layout: layout, labels: labels, badLabelsFail: badLabelsFail)
    }

    /// Opens the FIFO (or file) at `url`, channel `channel`'s stream for epoch `epoch`.
    /// Opening a FIFO waits until its writer opens it.
    public static func open(_ url: URL, channel: String, epoch: Int, layout: Layout,
                            labels: LabelSpec, badLabelsFail: Bool = false) throws(DatasetError) -> PipeRecordStream {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .unreadable(path: url.path, reason: "no pipe for channel '\(channel)' epoch \(epoch) (expected a FIFO named \(url.lastPathComponent))")
        }
        do {
            let handle = try FileHandle(forReadingFrom: url)
            return PipeRecordStream(fileHandle: handle, source: url.path, layout: layout, labels: labels, badLabelsFail: badLabelsFail)
        } catch {
            throw .unreadable(path: url.path, reason: "cannot open channel '\(channel)''s pipe for epoch \(epoch): \(SystemErrorText.of(error))")
        }
    }
}
