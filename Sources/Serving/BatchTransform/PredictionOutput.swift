import Models
/// JSON lines that `imgclf predict` and batch transform print for one image.
public enum PredictionOutput {
    /// The `k` most probable classes, most probable first (ties: lower index first).
    public static func topK(_ probabilities: [Float], k: Int) -> [(index: Int, probability: Float)] {
        ClassRanking.top(probabilities, k: k)
    }

    /// `{"file": ..., "probabilities": [...], "top_k": [{"class": i, "name": ..., "probability": p}, ...]}`;
    /// `name` only when the artifact names its classes.
    public static func line(file: String, probabilities: [Float], k: Int, classNames: [String]?) -> String {
        let top = topK(probabilities, k: k).map { entry -> String in
            var s = "{\"class\": \(entry.index)"
            if let classNames, entry.index < classNames.count { s += ", \"name\": \(JSONText.string(classNames[entry.index]))" }
            return s + ", \"probability\": \(JSONText.number(entry.probability))}"
        }
        return "{\"file\": \(JSONText.string(file)), \"probabilities\": \(JSONText.array(probabilities)), \"top_k\": [\(top.joined(separator: ", "))]}"
    }

    /// `{"file": ..., "error": ...}` for an image that could not be classified.
    public static func errorLine(file: String, error: String) -> String {
        "{\"file\": \(JSONText.string(file)), \"error\": \(JSONText.string(error))}"
    }
}
