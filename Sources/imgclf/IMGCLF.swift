import ArgumentParser

/// The command-line tool: thin commands over the library modules.
@main
struct IMGCLF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imgclf",
        abstract: "Train, evaluate and serve image classifiers compatible with SageMaker's built-in Image Classification algorithm.",
        subcommands: [
            // One entry per command file in Sources/imgclf/Commands.
            BenchmarkCommand.self,
            TrainCommand.self,
            SymbolCommand.self,
            Im2RecCommand.self,
            InspectCommand.self,
            PredictCommand.self,
            ServeCommand.self,
            EvaluateCommand.self,
            TransformCommand.self,
            LaunchCommand.self,
        ]
    )
}
