import Foundation
import Graph
import ImageData
import Models
import Support

/// Why a model cannot be quantized.
public enum QuantizeError: Error, CustomStringConvertible {
    case noCalibrationImages(path: String)
    case noUsableImages(path: String, tried: Int, firstProblem: String)
    case unreadableCalibration(path: String, reason: String)
    case outputIsInput(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noCalibrationImages(path): "\(path): no calibration images (expected a folder of JPEG/PNG images, a .rec file or a .lst list)"
        case let .noUsableImages(path, tried, first): "\(path): none of the \(tried) calibration image(s) could be read (first: \(first))"
        case let .unreadableCalibration(path, reason): "\(path): cannot read the calibration data: \(reason)"
        case let .outputIsInput(path): "\(path): the output is the input model; write the quantized artifact elsewhere"
        case let .cannotWrite(path, reason): "\(path): cannot write the quantized artifact: \(reason)"
        }
    }
}
