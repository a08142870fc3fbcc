import Foundation
import Models

/// Renders an `EvaluationReport` for a terminal: a summary, per-class precision and recall,
/// and the confusion matrix (single-label, up to `maxMatrixClasses` classes) or, for a model
/// with too many classes for one, the most frequent confusions.
public enum EvaluationTable {
    public static func render(_ r: EvaluationReport, maxMatrixClasses: Int = 30) -> String {
        var out = "images: \(r.samples)"
        if r.failed > 0 { out += " (\(r.failed) could not be classified)" }
        out += "\n" + (r.multiLabel ? "accuracy (mean per-class, threshold 0.5): " : "accuracy: ") + pct(r.accuracy) + "\n"
        if let k = r.topK, let a = r.topKAccuracy { out += "top-\(k) accuracy: \(pct(a))\n" }
        if let e = r.exactMatch { out += "exact match (every class right): \(pct(e))\n" }
        let label = { (m: EvaluationReport.ClassMetrics) in m.name.map { "\(m.index) \($0)" } ?? String(m.index) }
        let width = max(5, r.perClass.map { label($0).count }.max() ?? 5)
        out += "\n" + pad("class", width) + "  precision     recall   support\n"
        for m in r.perClass {
            out += pad(label(m), width) + "  " + lpad(pct(m.precision), 9) + "  " + lpad(pct(m.recall), 9) + "  " + lpad(String(m.support), 8) + "\n"
        }
        if !r.multiLabel, let confusion = r.confusion, confusion.count <= maxMatrixClasses {
            let cell = max(4, (confusion.flatMap { $0 }.max() ?? 0).description.count + 1)
            out += "\nconfusion matrix (rows: true class, columns: predicted)\n"
            out += pad("", width) + r.perClass.map { lpad(String($0.index), cell) }.joined() + "\n"
            for (i, row) in confusion.enumerated() where i < r.perClass.count {
                out += pad(label(r.perClass[i]), width) + row.map { lpad(String($0), cell) }.joined() + "\n"
            }
        } else if !r.multiLabel, let top = r.topConfusions {
            let name = { (i: Int) in i < r.perClass.count ? label(r.perClass[i]) : String(i) }
            out += "\nmost frequent confusions (\(top.count))\n"
            for c in top { out += "\(name(c.truth)) -> \(name(c.predicted)): \(c.count)\n" }
        }
        return out
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f%%", v * 100) }
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
}
