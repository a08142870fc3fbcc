/// How a training job ended, for the command to turn into an exit code.
public enum TrainingOutcome {
    /// Every epoch ran (or early stopping ended it); the model is written.
    case completed(TrainingResult)
    /// SIGTERM/SIGINT (or its relay) stopped it after its state was saved.
    case stopped(signal: Int32)
    /// Reading the job, connecting the workers, setup or training failed.
    case failed(any Error)
}
