@testable import Distributed
import Foundation
import TestFixtures
import Testing
import Training

/// A worker's status file and output/failure, on a job folder of its own (no signal
/// handlers: the test process keeps its own).
@Suite(.removesTemporaryFolders) struct WorkerExitTests {
    static func status(_ job: URL, rank: Int) throws -> String {
        try String(contentsOf: job.appendingPathComponent("output/.imgclf-workers/rank-\(rank)"), encoding: .utf8)
    }

    static func failure(_ job: URL) -> String? {
        try? String(contentsOf: job.appendingPathComponent("output/failure"), encoding: .utf8)
    }

    @Test func aWorkerSaysItRunsThenThatItIsConnectedThenHowItEnded() throws {
        let job = try TemporaryFolders.make("worker-exit")
        let worker = WorkerExit(jobDir: job, rank: 1, host: "algo-2", handlingSignals: false)
        #expect(try Self.status(job, rank: 1) == "running \(getpid())\n")
        #expect(WorkerExit.runningWorkers(jobDir: job) == [getpid()])
        // Not yet connected: a stop must wait (a worker on another host may still be starting).
        #expect(WorkerExit.connectedWorkers(jobDir: job).isEmpty)
        worker.attach(SingleProcess())
        #expect(try Self.status(job, rank: 1) == "connected \(getpid())\n")
        #expect(WorkerExit.runningWorkers(jobDir: job) == [getpid()])
        #expect(WorkerExit.connectedWorkers(jobDir: job) == [getpid()])
        worker.settle(143)
        #expect(try Self.status(job, rank: 1) == "exit 143\n")
        #expect(WorkerExit.runningWorkers(jobDir: job).isEmpty)
        // The outcome stands: a later failure or settle changes nothing.
        worker.fail("too late")
        worker.settle(0)
        #expect(try Self.status(job, rank: 1) == "exit 143\n")
        #expect(Self.failure(job) == nil)
        #expect(WorkerExit.statuses(jobDir: job) == ["rank-1": "exit 143"])
    }

    @Test func aFailureNamesTheRankAndHostInOutputFailure() throws {
        let job = try TemporaryFolders.make("worker-exit")
        let worker = WorkerExit(jobDir: job, rank: 2, host: "algo-3", handlingSignals: false)
        #expect(worker.prefix == "rank 2 on algo-3: ")
        worker.attach(SingleProcess())
        #expect(worker.prefix == "rank 2 of 1 on algo-3: ")
        worker.fail("the data channel is empty")
        #expect(try Self.status(job, rank: 2) == "failed\n")
        #expect(Self.failure(job) == "rank 2 of 1 on algo-3: the data channel is empty")
        worker.settle(0)
        #expect(try Self.status(job, rank: 2) == "failed\n")
    }

    @Test func aNewAttemptForgetsTheLastOnesVerdicts() throws {
        let job = try TemporaryFolders.make("worker-exit")
        let worker = WorkerExit(jobDir: job, rank: 0, host: "algo-1", handlingSignals: false)
        worker.fail("boom")
        HostLaunch.forgetEarlierAttempt(job)
        #expect(WorkerExit.statuses(jobDir: job).isEmpty)
        #expect(Self.failure(job) == nil)
    }

    @Test func withoutAJobFolderNothingIsWritten() {
        let worker = WorkerExit(jobDir: nil, rank: 0, host: "here", handlingSignals: false)
        worker.fail("boom")
        #expect(worker.prefix == "rank 0 on here: ")
    }
}
