/// The job stopped on SIGTERM/SIGINT after saving its state (not a failure). The stop
/// check throws it to end the epoch loop; `JobFolderTraining.run` throws it to its caller.
public struct StoppedBySignal: Error, CustomStringConvertible {
    public let signal: Int32
    public init(signal: Int32) { self.signal = signal }
    public var description: String { "stopped by signal \(signal) after saving the training state" }
}
