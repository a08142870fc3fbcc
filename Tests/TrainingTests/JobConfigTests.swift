import Foundation
import TestFixtures
import Testing
import Training

@Suite(.removesTemporaryFolders) struct JobConfigTests {
    @Test func inputDataConfig() throws {
        let json = #"""
        {"train": {"ContentType": "application/x-recordio", "TrainingInputMode": "Pipe",
                   "S3DistributionType": "ShardedByS3Key", "RecordWrapperType": "None"},
         "validation": {"ContentType": "application/x-image", "TrainingInputMode": "File",
                        "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"},
         "model": {"TrainingInputMode": "File"}}
        """#
        let config = try InputDataConfig.parse(Data(json.utf8), source: "inputdataconfig.json")
        #expect(config.channels.count == 3)
        #expect(config.channels["train"] == ChannelConfig(contentType: "application/x-recordio", inputMode: .pipe,
                                                          s3DistributionType: "ShardedByS3Key", recordWrapperType: "None"))
        #expect(config.channels["validation"]?.contentType == "application/x-image")
        #expect(config.channels["model"] == ChannelConfig())
    }

    @Test func inputDataConfigErrorsNameFileAndKey() {
        #expect(throws: JobConfigError.invalidValue(file: "idc.json", key: "train.TrainingInputMode", value: "Stream", valid: "File, Pipe (FastFile reads like File)")) {
            try InputDataConfig.parse(Data(#"{"train": {"TrainingInputMode": "Stream"}}"#.utf8), source: "idc.json")
        }
        #expect(throws: JobConfigError.wrongType(file: "idc.json", key: "train.ContentType", expected: "a string")) {
            try InputDataConfig.parse(Data(#"{"train": {"ContentType": 3}}"#.utf8), source: "idc.json")
        }
        #expect(throws: JobConfigError.self) { try InputDataConfig.parse(Data("{".utf8), source: "idc.json") }
    }

    @Test func resourceConfig() throws {
        let config = try ResourceConfig.parse(Data(#"{"current_host": "algo-2", "hosts": ["algo-1", "algo-2"], "network_interface_name": "eth0"}"#.utf8), source: "rc.json")
        #expect(config.currentHost == "algo-2" && config.hosts == ["algo-1", "algo-2"] && config.rank == 1)
        #expect(throws: JobConfigError.missingKey(file: "rc.json", key: "hosts", expected: "every host name, e.g. [\"algo-1\", \"algo-2\"]")) {
            try ResourceConfig.parse(Data(#"{"current_host": "algo-1"}"#.utf8), source: "rc.json")
        }
        #expect(throws: JobConfigError.self) {
            try ResourceConfig.parse(Data(#"{"current_host": "algo-3", "hosts": ["algo-1"]}"#.utf8), source: "rc.json")
        }
        // Host names go to mpirun's --host list and to ssh: nothing that would be read as more.
        for bad in ["algo-1,evil", "algo-1:4", "-oProxyCommand=x", "two words", "", String(repeating: "a", count: 254), "algó"] {
            let json = try JSONSerialization.data(withJSONObject: ["current_host": "algo-1", "hosts": ["algo-1", bad]])
            #expect(throws: JobConfigError.self, "\(bad)") { try ResourceConfig.parse(json, source: "rc.json") }
        }
        #expect(try ResourceConfig.parse(Data(#"{"current_host": "ip-10-0-0-1.ec2.internal", "hosts": ["ip-10-0-0-1.ec2.internal", "algo_2"]}"#.utf8), source: "rc.json").rank == 0)
    }

    @Test func hyperparametersFileRoundTrip() throws {
        let dir = TemporaryFolders.url("hp")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var hp = Hyperparameters(numClasses: 5, numTrainingSamples: 77)
        hp.lrSchedulerStep = [3, 6]
        hp.topK = 2
        let url = dir.appendingPathComponent("hyperparameters.json")
        try HyperparametersFile.write(hp, to: url)
        // SageMaker style: every value a string.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        #expect(object.values.allSatisfy { $0 is String })
        #expect(try HyperparametersFile.read(contentsOf: url) == hp)

        try Data(#"{"num_classes": "5"}"#.utf8).write(to: url)
        do {
            _ = try HyperparametersFile.read(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("num_training_samples"))
            #expect(error.description.contains(url.path))
        }
        #expect(throws: JobConfigError.self) { try HyperparametersFile.read(contentsOf: dir.appendingPathComponent("absent.json")) }
    }
}
