import ImageData
import Foundation

/// A small PNG of an image for the report, as a data URI.
enum Thumbnail {
    /// The longer side of a thumbnail, in pixels.
    static let side = 112

    static func dataURI(_ bytes: [UInt8]) throws -> String {
        let image = try ImageDecoder.decode(bytes)
        let scale = min(1, Double(side) / Double(max(image.width, image.height, 1)))
        let small = scale < 1
            ? Resize.bilinear(image, width: max(1, Int((Double(image.width) * scale).rounded())),
                              height: max(1, Int((Double(image.height) * scale).rounded())))
            : image
        return "data:image/png;base64," + Data(try ImageEncoder.png(small)).base64EncodedString()
    }
}
