// swift-tools-version:6.0
import PackageDescription

// Modules, lowest first; each depends only on those above it:
// C shims, Support -> Compute (oneDNN) -> Graph (symbols, params, executor, ops) -> Models -> ImageData -> Training
// -> Distributed (MPI, launch, the environment) and Serving -> Reports -> imgclf
let package = Package(
    name: "imgclf",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "imgclf", targets: ["imgclf"]),
        // For the fuzz targets in Fuzz/ (their own package); builds nothing by itself.
        .library(name: "ImgclfModules", targets: ["Support", "Compute", "Graph", "Models", "ImageData", "Training", "Serving", "Reports", "ONNXExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // Named for the server's connection handlers (timeouts, limits); Hummingbird already brings them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.0.0"),
        // The runtime of the committed Sources/ONNXExport/Generated/onnx.pb.swift (scripts/generate-onnx-proto).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive"),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),
        // Foundation-only helpers every layer shares: atomic writes, JSON strings, byte order, SplitMix64.
        .target(name: "Support"),
        .target(name: "Compute", dependencies: ["CDNNL"]),
        .target(name: "Graph", dependencies: ["Compute", "Support"]),
        .target(name: "Models", dependencies: ["Graph", "Support", "CArchive"]),
        .target(name: "ImageData", dependencies: ["Support", "CTurboJPEG", "CPNG"]),
        .target(name: "Training", dependencies: ["Compute", "Graph", "Models", "ImageData", "Support"]),
        // MPI collectives, and `imgclf launch`'s process handling (mpirun as a child, the workers'
        // status files) with ContainerEnvironment, the one reader of the environment.
        .target(name: "Distributed", dependencies: ["CMPI", "Training", "Graph", "Compute", "Support"]),
        .target(name: "Serving", dependencies: [
            "Compute", "Graph", "Models", "ImageData", "Support",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.embedInCode("Resources/ui.html")]),
        // report.html (training and evaluation reports): the page and the data it shows.
        .target(name: "Reports", dependencies: ["ImageData", "Models", "Serving", "Support", "Training"],
                resources: [.embedInCode("Resources/report.html")]),
        // `imgclf export --format onnx`: the symbol graph and weights as an ONNX model.
        .target(name: "ONNXExport", dependencies: [
            "Graph", "Models", "Support",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .executableTarget(name: "imgclf", dependencies: [
            "Compute", "Graph", "Models", "ImageData", "Training", "Serving", "Distributed", "ONNXExport", "Reports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test support: the golden files several test targets read (Tests/Fixtures/Resources,
        // once) and temporary folders removed when each test ends. Only test targets use it.
        .target(name: "TestFixtures", path: "Tests/Fixtures", resources: [.copy("Resources")]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "Graph", "Models", "Training", "TestFixtures"], resources: [.copy("Resources")]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Models", "TestFixtures"], resources: [.copy("Resources")]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Graph", "TestFixtures"], resources: [.copy("Resources")]),
        .testTarget(name: "ImageDataTests", dependencies: ["ImageData", "TestFixtures"], resources: [.copy("Resources")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Graph", "Compute", "Models", "ImageData", "Support", "TestFixtures"], resources: [.copy("Resources")]),
        .testTarget(name: "ServingTests", dependencies: ["Serving", "Compute", "Models", "Graph", "ImageData", "Training", "TestFixtures"], resources: [.copy("Resources")]),
        // Reports, TensorBoard scalars and the serving page, checked in headless Chromium and TensorBoard's reader.
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Serving", "Training", "Models", "ImageData", "TestFixtures"]),
        .testTarget(name: "ExportTests", dependencies: ["ONNXExport", "Graph", "Models", "TestFixtures"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "Training", "Graph", "Compute", "TestFixtures"]),
        // Int8: the quantized convolution, quantization.json, and quantized digits models (trains them, so Training).
        .testTarget(name: "QuantizationTests", dependencies: ["Serving", "Training", "Models", "Graph", "Compute", "ImageData", "TestFixtures"]),
    ]
)
