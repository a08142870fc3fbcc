import Models

/// TensorBoard scalars of a run (rank 0, with a TensorBoard folder): each epoch's figures,
/// and this worker's running figures every `batchInterval` batches.
final class TensorBoardScalars: TrainingObserver {
    /// Batches between two batch-scalar events.
    static let batchInterval = 20
    let writer: ScalarEventWriter

    init(writer: ScalarEventWriter) {
        self.writer = writer
    }

    /// The run's scalars, when it writes any.
    static func of(_ run: TrainingRun) throws -> TensorBoardScalars? {
        guard run.isRoot, let folder = run.job.tensorboardDir else { return nil }
        let log = run.log
        return TensorBoardScalars(writer: try ScalarEventWriter(folder: folder, warn: { log.info("warning: " + $0) }))
    }

    func batchEnded(_ batch: BatchEnd, in run: TrainingRun) {
        guard batch.batch % Self.batchInterval == 0 else { return }
        // This worker's running figures: combining them would cost an exchange per event.
        writer.write([("batch/loss", batch.loss), ("batch/accuracy", batch.accuracy),
                      ("batch/images_per_second", batch.imagesPerSecond)], step: batch.updates)
    }

    func epochEnded(_ record: EpochRecord, in run: TrainingRun) {
        writer.write(Self.scalars(of: record), step: record.epoch)
    }

    /// An epoch's figures as TensorBoard scalars (absent top-k figures left out).
    static func scalars(of record: EpochRecord) -> [(tag: String, value: Double)] {
        var values: [(tag: String, value: Double)] = [
            ("train/accuracy", record.trainAccuracy), ("validation/accuracy", record.validationAccuracy),
            ("train/loss", record.trainLoss), ("learning_rate", Double(record.learningRate)),
            ("epoch/seconds", record.seconds),
        ]
        if let v = record.trainTopKAccuracy { values.append(("train/top_k_accuracy", v)) }
        if let v = record.validationTopKAccuracy { values.append(("validation/top_k_accuracy", v)) }
        if let v = record.imagesPerSecond { values.append(("epoch/images_per_second", v)) }
        return values
    }
}
