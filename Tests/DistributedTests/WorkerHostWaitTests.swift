@testable import Distributed
import Foundation
import TestFixtures
import Testing

/// How a worker host's launch exits, from its workers' status files once the leader's
/// mpirun is gone from this host.
@Suite(.removesTemporaryFolders) struct WorkerHostWaitTests {
    static func wait(statuses: [String: String]) throws -> (code: Int32, failure: String?) {
        let job = try TemporaryFolders.make("worker-host")
        let folder = job.appendingPathComponent("output/.imgclf-workers")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, status) in statuses { try Data("\(status)\n".utf8).write(to: folder.appendingPathComponent(name)) }
        let code = WorkerHostWait(leader: "algo-1", jobDir: job, host: "algo-3", workerWait: 0).outcome()
        return (code, try? String(contentsOf: job.appendingPathComponent("output/failure"), encoding: .utf8))
    }

    @Test func theHostExitsAsItsWorkersDid() throws {
        for (statuses, expected) in [(["rank-2": "exit 0"], 0), (["rank-2": "exit 143", "rank-3": "exit 0"], 143),
                                     (["rank-2": "failed", "rank-3": "exit 0"], 1)] as [([String: String], Int32)] {
            let (code, failure) = try Self.wait(statuses: statuses)
            #expect(code == expected, "\(statuses)")
            #expect(failure == nil, "\(statuses)")
        }
    }

    @Test func aWorkerThatNeverCameIsAFailureNamingTheLeader() throws {
        let (code, failure) = try Self.wait(statuses: [:])
        #expect(code == 1)
        #expect(failure?.hasPrefix("algo-3: algo-1's mpirun came and went without a training worker starting on this host") == true)
    }

    @Test func aWorkerStillSayingItRunsWasKilled() throws {
        let (code, failure) = try Self.wait(statuses: ["rank-2": "running 4242"])
        #expect(code == 1)
        #expect(failure?.hasPrefix("algo-3: this host's worker (rank-2) was killed without a chance to report") == true)
    }
}
