/// Validation without `resize` crops images unresized, as MXNet's ImageRecordIter does.
/// When they all share one shorter side, the endpoint can resize any request to that side
/// and so reproduce validation on images like them; when they vary, no single resize can.
struct ValidationSizes {
    /// The shorter side all validation images had (recorded in the artifact's preprocessing
    /// contract, which the endpoint resizes to); nil when they varied or `resize` is set.
    private(set) var shorterSide: Int?
    private var warned = false

    /// Takes an epoch's range of validation shorter sides; warns once when they vary.
    mutating func note(_ sides: ClosedRange<Int>?, resize: Int?, height: Int, log: TrainingLog) {
        guard resize == nil, let sides else { return }
        if sides.lowerBound == sides.upperBound {
            shorterSide = sides.lowerBound
            return
        }
        shorterSide = nil
        if !warned {
            warned = true
            log.info("warning: validation images have shorter sides from \(sides.lowerBound) to \(sides.upperBound) and resize is unset, so validation crops them unresized and no endpoint resize can reproduce it (the endpoint resizes the shorter side to \(height)); set resize")
        }
    }
}
