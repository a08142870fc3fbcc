import Foundation
import Testing

/// The switch for the long accuracy runs (a model trained for many epochs to check what it
/// scores): off in `make test`, on in `make test-all`, which sets IMGCLF_LONG_TESTS=1.
public enum LongTests {
    /// Whether IMGCLF_LONG_TESTS=1 is set.
    public static let enabled = ProcessInfo.processInfo.environment["IMGCLF_LONG_TESTS"] == "1"
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only under IMGCLF_LONG_TESTS=1 (`make test-all`); otherwise it is
    /// reported as skipped, with the way to run it.
    public static var longRun: Self {
        .enabled(if: LongTests.enabled, "a long accuracy run: set IMGCLF_LONG_TESTS=1 (make test-all) to run it")
    }
}
