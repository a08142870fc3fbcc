import Foundation

/// ``ContainerEnvironment``'s values read from this process's environment, at each call:
/// what the commands ask.
extension ContainerEnvironment {
    public static var values: [String: String] { ContainerEnvironment().values }

    public static var jobDir: String { ContainerEnvironment().jobDir }

    public static func port() throws -> Int? { try ContainerEnvironment().port() }

    public static func modelServerTimeout() throws -> Int? { try ContainerEnvironment().modelServerTimeout() }

    public static func maxPayloadMB() throws -> Int? { try ContainerEnvironment().maxPayloadMB() }

    public static func workers() throws -> Int? { try ContainerEnvironment().workers() }

    public static func batchTransform() throws -> Bool { try ContainerEnvironment().batchTransform() }

    public static func safePortRange() throws -> ClosedRange<Int>? { try ContainerEnvironment().safePortRange() }

    public static var pretrainedModelDir: URL? { ContainerEnvironment().pretrainedModelDir }

    public static var mpiLaunch: MPILaunch { ContainerEnvironment().mpiLaunch }

    public static var forwardedToWorkers: [String] { ContainerEnvironment().forwardedToWorkers }

    public static func mpiConfiguration(verifyEveryUpdate: Bool, dumpWeightsDir: URL?) -> MPICollective.Configuration {
        ContainerEnvironment().mpiConfiguration(verifyEveryUpdate: verifyEveryUpdate, dumpWeightsDir: dumpWeightsDir)
    }
}
