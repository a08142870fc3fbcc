import Foundation
import Testing
import Training

/// The hyperparameter table is the one statement of every name: the known names, the
/// artifact's strings and the README's table follow it.
@Suite struct HyperparameterTableTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

    /// Problems are listed in the table's order, which error messages promise is the names' order.
    @Test func namesAreUniqueAndInAlphabeticalOrder() {
        let names = HyperparameterTable.all.map(\.name)
        #expect(names == names.sorted() && Set(names).count == names.count)
        #expect(Hyperparameters.knownNames == names)
    }

    /// A value set for every hyperparameter is written under every name, and reads back.
    @Test func everyNameIsWrittenWhenSet() throws {
        var hp = Hyperparameters(numClasses: 10, numTrainingSamples: 100)
        hp.augmentationType = .crop
        hp.checkpointFrequency = 2
        hp.kvStore = .distAsync
        hp.lrSchedulerStep = [3]
        hp.resize = 256
        hp.topK = 5
        hp.numLayers = 18
        #expect(Set(hp.asStrings.keys) == Set(Hyperparameters.knownNames))
        #expect(try Hyperparameters.parse(hp.asStrings) == hp)
    }

    @Test func theTableShowsRangesChoicesAndDefaults() {
        let rows = HyperparameterTable.markdown().split(separator: "\n")
        #expect(rows.count == 2 + Hyperparameters.knownNames.count)
        #expect(rows.contains("| `num_classes` | an integer in 2...100000 | required |"))
        #expect(rows.contains("| `optimizer` | one of sgd, adam, rmsprop, nag | `sgd` |"))
        #expect(rows.contains("| `eps` | a number in [0, 1] | `1e-08` |"))
        #expect(rows.contains { $0.hasPrefix("| `top_k` | an integer in 2...100000; at most num_classes | unset") })
    }

    /// README.md's hyperparameter section is `HyperparameterTable.markdown()`, byte for byte.
    @Test func readmeTableIsTheGeneratedOne() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let begin = "<!-- hyperparameters:begin -->\n", end = "<!-- hyperparameters:end -->"
        let start = try #require(text.range(of: begin), "README.md has no \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex), "README.md has no \(end)")
        let expected = HyperparameterTable.markdown()
        #expect(String(text[start.upperBound..<stop.lowerBound]) == expected,
                "README.md's hyperparameter table is not HyperparameterTable.markdown(); put this between the markers:\n\(expected)")
    }
}
