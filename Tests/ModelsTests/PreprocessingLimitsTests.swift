import Models
import Testing

/// The shared ranges of image_shape, resize and num_classes (training and serving).
struct PreprocessingLimitsTests {
    @Test func imageShapesOutsideTheRangeAreRefusedWithTheRange() {
        for shape in [[3, 60000, 60000], [3, 8193, 224], [3, 224, 0], [2, 224, 224], [3, 224], [3, Int.max, Int.max]] {
            #expect(!ImageShape.isValid(shape), "\(shape)")
            do {
                try PreprocessingLimits.checkImageShape(shape, source: "model/hyperparameters.json")
                Issue.record("\(shape) accepted")
            } catch {
                #expect(error.description.contains("model/hyperparameters.json") && error.description.contains("1...8192"), "\(error)")
            }
        }
        #expect(ImageShape.isValid([3, 8192, 8192]) && ImageShape.isValid([1, 1, 1]))
    }

    @Test func resizeAndNumClassesHaveStatedRanges() throws {
        #expect(throws: PreprocessingLimits.OutOfRange.self) { try PreprocessingLimits.checkResize(1_000_000_000_000_000_000, source: "x") }
        #expect(throws: PreprocessingLimits.OutOfRange.self) { try PreprocessingLimits.checkResize(0, source: "x") }
        #expect(throws: PreprocessingLimits.OutOfRange.self) { try PreprocessingLimits.checkNumClasses(Int.max, source: "x") }
        #expect(throws: PreprocessingLimits.OutOfRange.self) { try PreprocessingLimits.checkNumClasses(1, source: "x") }
        try PreprocessingLimits.checkResize(8192, source: "x")
        try PreprocessingLimits.checkNumClasses(100_000, source: "x")
        do {
            try PreprocessingLimits.checkResize(9000, source: "h.json")
            Issue.record("resize 9000 accepted")
        } catch {
            #expect(error.description == "h.json: resize=9000 is out of range; valid: an integer in 1...8192")
        }
    }
}
