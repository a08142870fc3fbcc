@testable import Distributed
import Foundation
import Testing

/// The environment's variables, read from a given dictionary as from the process's.
@Suite struct ContainerEnvironmentTests {
    static func environment(_ values: [String: String]) -> ContainerEnvironment {
        ContainerEnvironment(values: values)
    }

    @Test func theJobFolderDefaultsToTheContainersWhenUnsetOrEmpty() {
        #expect(Self.environment([:]).jobDir == "/opt/ml")
        #expect(Self.environment(["IMGCLF_JOB_DIR": ""]).jobDir == "/opt/ml")
        #expect(Self.environment(["IMGCLF_JOB_DIR": "/jobs/7"]).jobDir == "/jobs/7")
    }

    @Test func integersAreTakenInRangeAndRefusedByName() throws {
        #expect(try Self.environment([:]).port() == nil)
        #expect(try Self.environment(["SAGEMAKER_BIND_TO_PORT": " 8081 "]).port() == 8081)
        #expect(try Self.environment(["SAGEMAKER_MODEL_SERVER_TIMEOUT": "30"]).modelServerTimeout() == 30)
        #expect(try Self.environment(["SAGEMAKER_MAX_PAYLOAD_IN_MB": "100"]).maxPayloadMB() == 100)
        #expect(try Self.environment(["SAGEMAKER_MODEL_SERVER_WORKERS": "4"]).workers() == 4)
        #expect(throws: EnvironmentError(description: "environment variable SAGEMAKER_BIND_TO_PORT is '70000'; expected an integer from 1 to 65535")) {
            try Self.environment(["SAGEMAKER_BIND_TO_PORT": "70000"]).port()
        }
        #expect(throws: EnvironmentError(description: "environment variable SAGEMAKER_MODEL_SERVER_WORKERS is 'many'; expected an integer from 1 to 256")) {
            try Self.environment(["SAGEMAKER_MODEL_SERVER_WORKERS": "many"]).workers()
        }
    }

    @Test func batchTransformIsABoolean() throws {
        #expect(try Self.environment([:]).batchTransform() == false)
        #expect(try Self.environment(["SAGEMAKER_BATCH": "True"]).batchTransform() == true)
        #expect(try Self.environment(["SAGEMAKER_BATCH": "0"]).batchTransform() == false)
        #expect(throws: EnvironmentError(description: "environment variable SAGEMAKER_BATCH is 'ture'; expected true or false")) {
            try Self.environment(["SAGEMAKER_BATCH": "ture"]).batchTransform()
        }
    }

    @Test func theSafePortRangeIsLowDashHigh() throws {
        #expect(try Self.environment([:]).safePortRange() == nil)
        #expect(try Self.environment(["SAGEMAKER_SAFE_PORT_RANGE": "29000-29999"]).safePortRange() == 29000...29999)
        #expect(throws: EnvironmentError(description: "environment variable SAGEMAKER_SAFE_PORT_RANGE is '29999-29000'; expected LOW-HIGH, e.g. 29000-29999")) {
            try Self.environment(["SAGEMAKER_SAFE_PORT_RANGE": "29999-29000"]).safePortRange()
        }
    }

    @Test func thePretrainedFolderIsAPath() {
        #expect(Self.environment([:]).pretrainedModelDir == nil)
        #expect(Self.environment(["IMGCLF_PRETRAINED_DIR": "/zoo"]).pretrainedModelDir == URL(fileURLWithPath: "/zoo"))
    }

    @Test func launchForwardsEveryImgclfVariableInOrder() {
        let environment = Self.environment(["IMGCLF_MPI_TIMEOUT": "5", "PATH": "/bin", "IMGCLF_BUCKET_MB": "1", "OMPI_MCA_osc": "rdma"])
        #expect(environment.forwardedToWorkers == ["IMGCLF_BUCKET_MB", "IMGCLF_MPI_TIMEOUT"])
    }

    @Test func theMPISettingsIgnoreWhatIsNoNumber() {
        let set = Self.environment(["IMGCLF_MPI_TIMEOUT": "12.5", "IMGCLF_BUCKET_MB": "8", "IMGCLF_ASYNC_SCALE": "1",
                                    "OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_RANK": "2"])
            .mpiConfiguration(verifyEveryUpdate: true, dumpWeightsDir: URL(fileURLWithPath: "/tmp/w"))
        #expect(set.timeout == 12.5 && set.bucketMegabytes == 8 && set.asyncGradientScale == 1)
        #expect(set.verifyEveryUpdate && set.dumpWeightsDir == URL(fileURLWithPath: "/tmp/w"))
        #expect(set.launch == MPILaunch(isUnderMPIRun: true, environmentRank: 2))
        let unset = Self.environment(["IMGCLF_MPI_TIMEOUT": "soon", "IMGCLF_BUCKET_MB": ""])
            .mpiConfiguration(verifyEveryUpdate: false, dumpWeightsDir: nil)
        #expect(unset.timeout == 300 && unset.bucketMegabytes == 4 && unset.asyncGradientScale == nil)
        #expect(unset.launch == .alone)
    }

    @Test func byDefaultItReadsThisProcess() {
        #expect(ContainerEnvironment().values == ProcessInfo.processInfo.environment)
        #expect(ContainerEnvironment.values == ProcessInfo.processInfo.environment)
    }
}
