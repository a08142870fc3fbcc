import Distributed
import Training
import XCTest

/// resourceconfig.json's hosts -> what `imgclf launch` does on each host.
final class LaunchPlanTests: XCTestCase {
    func testSingleHostTrainsAloneWithoutMPI() {
        XCTAssertEqual(LaunchPlan.make(resources: .single, binary: "/usr/bin/imgclf", jobDir: "/opt/ml", extra: []), .alone)
    }

    func testLeaderStartsMPIRunOverEveryHost() {
        let resources = ResourceConfig(currentHost: "algo-1", hosts: ["algo-1", "algo-2", "algo-3"])
        let plan = LaunchPlan.make(resources: resources, binary: "/usr/bin/imgclf", jobDir: "/opt/ml",
                                   extra: ["--epochs", "2"], runningAsRoot: true, forward: ["IMGCLF_MPI_TIMEOUT"])
        XCTAssertEqual(plan, .leader(command: [
            "mpirun", "--host", "algo-1:1,algo-2:1,algo-3:1", "-np", "3", "--bind-to", "none", "--allow-run-as-root",
            "--mca", "osc", "pt2pt", "-x", "IMGCLF_MPI_TIMEOUT", "/usr/bin/imgclf", "train", "--job-dir", "/opt/ml", "--epochs", "2",
        ]))
    }

    func testAnOneSidedComponentChosenByTheUserIsKept() {
        let resources = ResourceConfig(currentHost: "algo-1", hosts: ["algo-1", "algo-2"])
        guard case let .leader(command) = LaunchPlan.make(resources: resources, binary: "imgclf", jobDir: "/opt/ml", extra: [],
                                                          environment: ["OMPI_MCA_osc": "rdma"]) else { return XCTFail("not the leader") }
        XCTAssertFalse(command.contains("osc"))
    }

    func testOtherHostsWaitForTheLeader() {
        let resources = ResourceConfig(currentHost: "algo-2", hosts: ["algo-1", "algo-2"])
        XCTAssertEqual(LaunchPlan.make(resources: resources, binary: "imgclf", jobDir: "/opt/ml", extra: []),
                       .worker(leader: "algo-1"))
    }
}
