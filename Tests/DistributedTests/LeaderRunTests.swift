@testable import Distributed
import Foundation
import Glibc
import TestFixtures
import Testing

/// The leader's mpirun as a child: its exit code, its environment, and output/failure from
/// what it said; a shell stands in for mpirun, and the test's own signals are left alone.
@Suite(.removesTemporaryFolders) struct LeaderRunTests {
    static let dashes = "--------------------------------------------------------------------------"

    static func failure(_ job: URL) -> String? {
        try? String(contentsOf: job.appendingPathComponent("output/failure"), encoding: .utf8)
    }

    static func leader(_ script: String, job: URL, environment: [String: String] = [:]) -> LeaderRun {
        LeaderRun(command: ["/bin/sh", "-c", script], jobDir: job, host: "algo-1", environment: environment)
    }

    @Test func theSummaryIsMPIRunsLastBoxThenTheFirstWorkerErrors() {
        let capture = OutputCapture()
        // Lines arrive in pieces that split them.
        capture.note("epoch 1 ...\nerror: rank 1 of 3 on algo-2: out of mem")
        capture.note("ory\n\(Self.dashes)\nfirst box\n\(Self.dashes)\nerror: rank 2 of 3 on algo-3: ended by SIGTERM\n")
        capture.note("\(Self.dashes)\nmpirun noticed that process rank 2 with PID 0 on node algo-3\nexited on signal 9 (Killed).\n\(Self.dashes)\n")
        capture.note("error: a\nerror: b\n")
        #expect(capture.summary() == """
            mpirun: mpirun noticed that process rank 2 with PID 0 on node algo-3 exited on signal 9 (Killed).
            rank 1 of 3 on algo-2: out of memory
            rank 2 of 3 on algo-3: ended by SIGTERM
            a
            """)
    }

    @Test func theFailureMessageKeepsRankZerosNoteUnlessTheSummaryHasIt() {
        #expect(LeaderRun.failureMessage(host: "algo-1", code: 1, mpirunSaid: "", rankZeroNote: "")
                == "algo-1 (the leader): mpirun ended with exit code 1.")
        #expect(LeaderRun.failureMessage(host: "algo-1", code: 137, mpirunSaid: "mpirun: killed", rankZeroNote: "rank 0: timeout")
                == "algo-1 (the leader): mpirun ended with exit code 137: mpirun: killed\nThe leader's worker: rank 0: timeout")
        #expect(LeaderRun.failureMessage(host: "algo-1", code: 1, mpirunSaid: "rank 0: timeout", rankZeroNote: "rank 0: timeout")
                == "algo-1 (the leader): mpirun ended with exit code 1: rank 0: timeout")
    }

    @Test func anExitStatusIsTheCodeOr128PlusTheSignal() {
        #expect(LeaderRun.exitCode(3 << 8) == 3)
        #expect(LeaderRun.exitCode(0) == 0)
        #expect(LeaderRun.exitCode(SIGKILL) == 137)
        #expect(LeaderRun.exitCode(SIGTERM | 0x80) == 143)
    }

    @Test func aFailedMPIRunLeavesItsSummaryAheadOfRankZerosNote() throws {
        let job = try TemporaryFolders.make("leader-run")
        try FileManager.default.createDirectory(at: job.appendingPathComponent("output"), withIntermediateDirectories: true)
        try Data("rank 0 of 2 on algo-1: bad label".utf8).write(to: job.appendingPathComponent("output/failure"))
        let code = try Self.leader("echo 'error: rank 1 of 2 on algo-2: disk full' >&2; exit 3", job: job).run(relay: nil)
        #expect(code == 3)
        #expect(Self.failure(job) == """
            algo-1 (the leader): mpirun ended with exit code 3: rank 1 of 2 on algo-2: disk full
            The leader's worker: rank 0 of 2 on algo-1: bad label
            """)
    }

    @Test func mpirunGetsTheEnvironmentGivenAndSuccessWritesNothing() throws {
        let job = try TemporaryFolders.make("leader-run")
        let code = try Self.leader(#"[ "$ONLY" = given ] && [ -z "$HOME" ] || exit 9"#, job: job,
                                   environment: ["ONLY": "given"]).run(relay: nil)
        #expect(code == 0)
        #expect(Self.failure(job) == nil)
    }

    @Test func anOrderlyStopOnAnotherHostIsNoFailure() throws {
        let job = try TemporaryFolders.make("leader-run")
        let folder = job.appendingPathComponent("output/.imgclf-workers")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("exit 143\n".utf8).write(to: folder.appendingPathComponent("rank-1"))
        #expect(try Self.leader("exit 143", job: job).run(relay: nil) == 143)
        #expect(Self.failure(job) == nil)
    }

    @Test func anMPIRunThatCannotStartIsNamed() throws {
        let job = try TemporaryFolders.make("leader-run")
        let run = LeaderRun(command: ["/nonexistent/mpirun", "-np", "2"], jobDir: job, host: "algo-1", environment: [:])
        let error = #expect(throws: LaunchError.self) { try run.run(relay: nil) }
        #expect(error?.description.hasPrefix("could not start /nonexistent/mpirun: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("install openmpi-bin") == true)
    }
}
