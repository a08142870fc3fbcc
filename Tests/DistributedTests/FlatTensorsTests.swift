import Compute
@testable import Distributed
import XCTest

/// The bucketing that every MPI exchange relies on, without MPI.
final class FlatTensorsTests: XCTestCase {
    func testBucketsCoverEveryFloatAcrossTensorBoundaries() throws {
        let a = try Tensor(plain: [3, 5]), b = try Tensor(plain: [7]), c = try Tensor(plain: [2, 2, 2])
        var value: Float = 0
        for t in [a, b, c] { for i in 0..<t.elementCount { t.floats[i] = value; value += 1 } }
        let flat = FlatTensors([a, b, c], bucketFloats: 4)
        XCTAssertEqual(flat.count, 30)
        XCTAssertEqual(flat.buckets.map(\.count).reduce(0, +), 30)
        XCTAssertEqual(flat.buckets.count, 8)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 4)
        defer { buffer.deallocate() }
        var seen: [Float] = []
        for range in flat.buckets {
            flat.pack(range, into: buffer)
            seen += (0..<range.count).map { buffer[$0] }
            for i in 0..<range.count { buffer[i] *= 2 }
            flat.unpack(range, from: buffer)
        }
        XCTAssertEqual(seen, (0..<30).map(Float.init))
        XCTAssertEqual(b.floats[0], 30)   // 15 * 2
        XCTAssertEqual(c.floats[7], 58)   // 29 * 2
    }

    func testHashSeesOneBitFlip() throws {
        let t = try Tensor(plain: [16])
        for i in 0..<16 { t.floats[i] = Float(i) * 0.1 }
        let flat = FlatTensors([t], bucketFloats: 1024)
        let before = flat.bitHash()
        t.floats[9] = Float(bitPattern: t.floats[9].bitPattern ^ 1)
        XCTAssertNotEqual(before, flat.bitHash())
    }
}
