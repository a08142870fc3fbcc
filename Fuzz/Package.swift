// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one per parser of hostile input (see Fuzz/README.md). Built only by
// scripts/fuzz, with `-sanitize=fuzzer,address`, into .build-fuzz; the main package's
// build and tests never see them.
let fuzzers = [
    "FuzzRecordIO",
    "FuzzIdx",
    "FuzzParams",
    "FuzzSymbol",
    "FuzzLst",
    "FuzzManifest",
    "FuzzHyperparameters",
    "FuzzJobConfig",
    "FuzzImage",
    "FuzzModelArchive",
    "FuzzInvocations",
    "FuzzQuantization",
    "FuzzONNXExport",
    "FuzzReportData",
    "FuzzOutputPath",
]

let package = Package(
    name: "imgclf-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "imgclf", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
    ] + fuzzers.map { name in
        // SwiftPM links every executable with a main of its own, so each target's @main
        // hands its callback to libFuzzer's driver (LLVMFuzzerRunDriver).
        .executableTarget(name: name,
                          dependencies: ["FuzzSupport", .product(name: "ImgclfModules", package: "imgclf")]
                              + (name == "FuzzInvocations"
                                  ? [.product(name: "Hummingbird", package: "hummingbird"),
                                     .product(name: "HTTPTypes", package: "swift-http-types")]
                                  : []),
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)
