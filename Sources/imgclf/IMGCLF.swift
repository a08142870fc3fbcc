import ArgumentParser

// Flag spelling, for every command in Commands/:
// - the managed service's hyperparameters keep the service's snake_case names
//   (`--num_classes`, `--mini_batch_size`, `--learning_rate`, `--image_shape`, ...): users
//   know them from the service, and `train` takes any of them as `--NAME VALUE`;
// - every other flag, our own, is kebab-case (`--job-dir`, `--checkpoint-dir`,
//   `--attribute-names`, `--batch-size`), or keeps the name of the tool it reproduces
//   (im2rec's `--num-thread`).
// The environment variables imgclf reads are all read in ContainerEnvironment.swift
// (module Distributed) and listed in docs/environment.md.

/// The command-line tool: thin commands over the library modules. Async at the root so that
/// `serve` can run as an `AsyncParsableCommand`; the other commands stay synchronous.
@main
struct IMGCLF: AsyncParsableCommand {
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
            ReportCommand.self,
            TransformCommand.self,
            QuantizeCommand.self,
            LaunchCommand.self,
            ExportCommand.self,
        ]
    )
}
