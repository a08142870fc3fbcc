import ImageData

extension ReportData.ClassBalance {
    /// Images per class in `source`, from the labels alone (a `.rec`'s record headers, a
    /// list's or manifest's lines). Multi-label: images carrying each class. Samples whose
    /// labels cannot be read, or lie outside the classes, are not counted.
    public static func imagesPerClass(_ source: any SampleSource, numClasses: Int, multiLabel: Bool) -> [Int] {
        var counts = [Int](repeating: 0, count: numClasses)
        for i in 0..<source.count {
            guard let labels = try? source.labels(at: i) else { continue }
            if multiLabel {
                for (c, v) in labels.prefix(numClasses).enumerated() where v >= 0.5 { counts[c] += 1 }
            } else if let first = labels.first, first.isFinite, first >= 0, first < Float(numClasses) {
                counts[Int(first)] += 1
            }
        }
        return counts
    }
}
