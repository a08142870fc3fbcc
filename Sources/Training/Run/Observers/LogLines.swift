/// The training log's lines from the epoch loop: progress while a pass runs (a live bar on
/// a terminal, periodic lines otherwise), then MXNet's metric and time-cost lines, which
/// users' metric regular expressions parse.
final class LogLines: TrainingObserver {
    func batchEnded(_ batch: BatchEnd, in run: TrainingRun) {
        run.log.progress(epoch: batch.epoch, batch: batch.batch, batches: batch.batches, imagesPerSecond: batch.imagesPerSecond,
                         loss: batch.loss, accuracy: batch.accuracy, secondsLeft: batch.secondsLeft)
    }

    func batchesEnded(epoch: Int, in run: TrainingRun) {
        run.log.endProgress()
    }

    func trainingPassEnded(epoch: Int, figures: EpochFigures, seconds: Double, in run: TrainingRun) {
        run.log.metric(epoch: epoch, "Train-accuracy", figures.accuracy)
        if let k = run.hp.topK, let v = figures.topK { run.log.metric(epoch: epoch, "Train-top_k_accuracy_\(k)", v) }
        run.log.timeCost(epoch: epoch, seconds: seconds)
    }

    func validationEnded(epoch: Int, figures: EpochFigures, in run: TrainingRun) {
        run.log.metric(epoch: epoch, "Validation-accuracy", figures.accuracy)
        if let k = run.hp.topK, let v = figures.topK { run.log.metric(epoch: epoch, "Validation-top_k_accuracy_\(k)", v) }
    }
}
