import Foundation
import Support

/// Writes scalars as a TensorBoard event file in a folder (`--tensorboard-dir`, or the job
/// folder's `output/tensorboard`, where the service's TensorBoardOutputConfig collects them).
///
/// Each run writes a new file, `events.out.tfevents.<seconds>.<host>.<pid>.imgclf`, as
/// TensorFlow names them; TensorBoard reads every file of the folder as one run, so a
/// resumed job's scalars continue the curves. Every event is written whole and flushed at
/// once: a job killed at any moment leaves at most one partial record, which TensorBoard's
/// reader stops at. A failed write (a full disk) is reported once and ends the scalars, not
/// the training.
public final class ScalarEventWriter {
    public let file: URL
    private var handle: FileHandle?
    private let warn: (String) -> Void

    public init(folder: URL, warn: @escaping (String) -> Void) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.unwritableFolder(role: "TensorBoard", path: folder.path, reason: "\(SystemErrorText.of(error))")
        }
        let now = Date().timeIntervalSince1970
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        file = folder.appendingPathComponent("events.out.tfevents.\(Int(now)).\(host).\(getpid()).imgclf")
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let opened = try? FileHandle(forWritingTo: file) else {
            throw TrainingError.unwritableFolder(role: "TensorBoard", path: folder.path, reason: "cannot create \(file.lastPathComponent)")
        }
        handle = opened
        self.warn = warn
        append(EventEncoding.fileVersion(wallTime: now))
    }

    deinit { try? handle?.close() }

    /// One event with every scalar of `values` at `step`; non-finite values are left out.
    public func write(_ values: [(tag: String, value: Double)], step: Int) {
        let finite = values.filter { $0.value.isFinite }.map { (tag: $0.tag, value: Float($0.value)) }
        guard !finite.isEmpty else { return }
        append(EventEncoding.scalars(finite, step: Int64(step), wallTime: Date().timeIntervalSince1970))
    }

    private func append(_ event: [UInt8]) {
        guard let handle else { return }
        do {
            try handle.write(contentsOf: EventEncoding.record(event))
        } catch {
            warn("TensorBoard scalars stop: cannot write \(file.path): \(SystemErrorText.of(error))")
            try? handle.close()
            self.handle = nil
        }
    }
}
