import CDNNL
import Foundation

/// A oneDNN call that failed: which call, and oneDNN's status.
public struct DNNLError: Error, CustomStringConvertible {
    public let status: dnnl_status_t
    public let what: String
    public var description: String {
        let reason: String
        switch status {
        case dnnl_out_of_memory: reason = "out of memory"
        case dnnl_invalid_arguments: reason = "invalid arguments"
        case dnnl_unimplemented: reason = "no implementation for these shapes or layouts"
        default: reason = "status \(status.rawValue)"
        }
        return "oneDNN could not \(what): \(reason)"
    }
}
