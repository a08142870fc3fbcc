import Foundation
import Graph
import TestFixtures
import Testing
import Training

/// `--profile`: the work it counts is the network's (ResNet-20 on 32x32 images is the
/// 40.8 million multiply-adds published for it; at 28x28 every layer has (28/32)^2 of its
/// positions), and a profiled run says per epoch where its time went.
@Suite(.serialized, .removesTemporaryFolders)
struct TrainingProfileTests {
    @Test func theConvolutionsWorkIsResNet20sPublishedCount() throws {
        let profile = TrainingProfile()
        _ = try ComputeBenchmark.run(numLayers: 20, imageShape: [3, 28, 28], batch: 2, numClasses: 10, iterations: 1, warmup: 0,
                                     infer: false, profile: profile)
        let convolution = try #require(profile.executor.byKind["Convolution"])
        // Per image, one forward pass: 2 FLOPs per multiply-add.
        let multiplyAdds = convolution.forwardFlops / 2 / 2
        let published = 40.8e6 * (28.0 / 32) * (28.0 / 32)
        #expect(abs(multiplyAdds - published) / published < 0.01, "\(multiplyAdds)")
        #expect(convolution.backwardFlops == 2 * convolution.forwardFlops)
        #expect(profile.executor.byKind["FullyConnected"]?.forwardFlops == Double(2 * 2 * 64 * 10))
        #expect(convolution.forwardSeconds > 0 && convolution.backwardSeconds > 0)
        let lines = profile.lines(span: "test")
        #expect(lines[0].contains("loader wait") && lines[0].contains("optimizer") && lines[0].contains("other"), "\(lines)")
        #expect(lines.contains { $0.contains("Convolution") && $0.contains("GFLOP/s") }, "\(lines)")
        #expect(lines.contains { $0.contains("BatchNorm") && !$0.contains("GFLOP/s") }, "\(lines)")
    }

    @Test func aProfiledRunSaysWhereEachEpochsTimeWent() throws {
        let train = try MNISTSample.subset("train", perClass: 4), validation = try MNISTSample.subset("validation", perClass: 1)
        let hp = try MNISTSample.hyperparameters(["epochs": "2", "mini_batch_size": "20"], trainCount: 40)
        var job = TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: train),
                              validation: Channel(name: "validation", path: validation),
                              outputDir: MNISTSample.temporaryFolder("profiled"), loaderThreads: 1, seed: 1)
        job.profile = true
        let lines = MNISTSample.Lines()
        _ = try Trainer(job: job, log: lines.log).run()
        for epoch in 0..<2 {
            let summary = try #require(lines.all.first { $0.hasPrefix("Profile epoch[\(epoch)] ") && $0.contains("loader wait") }, "\(lines.all)")
            for phase in TrainingProfile.Phase.allCases { #expect(summary.contains(phase.rawValue), "\(summary)") }
            #expect(lines.all.contains { $0.hasPrefix("Profile epoch[\(epoch)] Convolution:") && $0.contains("GFLOP/s") })
        }
    }
}
