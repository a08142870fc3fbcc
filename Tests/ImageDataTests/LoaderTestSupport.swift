import Foundation
import ImageData
import TestFixtures

/// Helpers shared by the Lst, Manifest, ClassFolder, Augment and Loader tests.
enum SourcesFixtures {
    static var resources: URL { Bundle.module.url(forResource: "Resources", withExtension: nil)! }
    static var sources: URL { resources.appendingPathComponent("sources") }
    /// The image tree MXNet's im2rec.py packed (Resources/recordio/tree): 3 classes, 14 images.
    static var tree: URL { resources.appendingPathComponent("recordio/tree") }
    /// im2rec.py's list of `tree` (Resources/recordio/images.lst).
    static var treeList: URL { resources.appendingPathComponent("recordio/images.lst") }

    /// A fresh temporary folder, removed when the test ends (`TemporaryFolders`).
    static func temporaryFolder(_ name: String = #function) -> URL {
        try! TemporaryFolders.make("imgclf-data-\(name.filter { $0.isLetter })")
    }

    static func write(_ text: String, to url: URL) {
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// A solid RGB image whose every sample is `value`.
    static func solid(_ value: UInt8, width: Int = 8, height: Int = 8) -> Image {
        Image(width: width, height: height, channels: 3, fill: value)
    }

    /// An image with a distinct value at every sample (a gradient pattern).
    static func pattern(width: Int, height: Int, channels: Int = 3) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { pixels[(y * width + x) * channels + c] = UInt8((x * 7 + y * 13 + c * 50) % 256) }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Writes `count` solid PNGs (value = index) to `folder` and returns a source over them.
    static func solidImageSource(count: Int, in folder: URL, broken: Set<Int> = []) -> FileSampleSource {
        var samples: [Sample] = []
        for i in 0..<count {
            let url = folder.appendingPathComponent("img\(i).jpg")
            let bytes: [UInt8] = broken.contains(i) ? Array("not an image".utf8) : try! ImageEncoder.jpeg(solid(UInt8(i)), quality: 100)
            FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
            samples.append(Sample(labels: [Float(i % 3)], file: url, reference: "img\(i).jpg"))
        }
        return FileSampleSource(samples: samples)
    }
}
