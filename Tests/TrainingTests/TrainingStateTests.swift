import Support
import Foundation
import Graph
import Models
import TestFixtures
import Testing
import Training

/// The training state is one file replaced by one rename: a save cut short leaves the
/// previous complete state, never a mix of two.
@Suite(.removesTemporaryFolders) struct TrainingStateTests {
    func state(updates: Int, nextEpoch: Int) -> TrainingState {
        TrainingState(nextEpoch: nextEpoch, updates: updates, learningRate: 0.1, bestAccuracy: 0.5, bestEpoch: 0,
                      epochsWithoutImprovement: 0, history: [], numLayers: 20, imageShape: [1, 28, 28], numClasses: 10,
                      multiLabel: false, checkpoints: [nextEpoch])
    }

    func arrays(_ value: Float) -> [(name: String, array: NDArray)] {
        [("arg:w", NDArray(shape: [2, 3], floats: [Float](repeating: value, count: 6))),
         ("opt:w:momentum", NDArray(shape: [2, 3], floats: [Float](repeating: -value, count: 6)))]
    }

    func folder() -> URL { TemporaryFolders.url("state") }

    @Test func savesOneFileAndReadsItBack() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try state(updates: 14, nextEpoch: 2).save(to: dir, arrays: arrays(1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [TrainingState.paramsName])
        let (loaded, loadedArrays) = try #require(try TrainingState.load(from: dir))
        #expect(loaded.updates == 14 && loaded.nextEpoch == 2 && loaded.checkpoints == [2])
        #expect(loadedArrays.map(\.name) == ["arg:w", "opt:w:momentum"])
        #expect(loadedArrays[0].array.floats() == [Float](repeating: 1, count: 6))
    }

    /// A kill during the next save leaves its temporary file behind (half written) and the
    /// final name untouched: the resume sees the earlier state and its own weights.
    @Test func resumeAfterAnInterruptedSaveUsesThePreviousCompleteState() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try state(updates: 7, nextEpoch: 1).save(to: dir, arrays: arrays(1))
        let next = dir.appendingPathComponent("next")
        try state(updates: 14, nextEpoch: 2).save(to: next, arrays: arrays(2))
        let bytes = try Data(contentsOf: next.appendingPathComponent(TrainingState.paramsName))
        try bytes.prefix(bytes.count / 2).write(to: dir.appendingPathComponent(".\(TrainingState.paramsName).tmp-4242-1"))

        let (loaded, loadedArrays) = try #require(try TrainingState.load(from: dir))
        #expect(loaded.updates == 7 && loaded.nextEpoch == 1)
        #expect(loadedArrays[0].array.floats() == [Float](repeating: 1, count: 6))
        #expect(loadedArrays[1].array.floats() == [Float](repeating: -1, count: 6))
    }

    /// A writer failing midway (a full disk) leaves the old file and no temporary one.
    @Test func aFailedReplaceKeepsTheOldFile() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try state(updates: 7, nextEpoch: 1).save(to: dir, arrays: arrays(1))
        let file = dir.appendingPathComponent(TrainingState.paramsName)
        let before = try Data(contentsOf: file)
        struct DiskFull: Error {}
        #expect(throws: DiskFull.self) {
            try AtomicFile.replace(file) { temporary in
                try Data([1, 2, 3]).write(to: temporary)
                throw DiskFull()
            }
        }
        #expect(try Data(contentsOf: file) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [TrainingState.paramsName])
    }

    @Test func aStateFileWithoutProgressIsANamedError() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ParamsFile.write(arrays(3), to: dir.appendingPathComponent(TrainingState.paramsName))
        do {
            _ = try TrainingState.load(from: dir)
            Issue.record("a state without progress was accepted")
        } catch let error as TrainingError {
            #expect("\(error)".contains(TrainingState.paramsName) && "\(error)".contains(TrainingState.progressArrayName), "\(error)")
        }
    }
}
