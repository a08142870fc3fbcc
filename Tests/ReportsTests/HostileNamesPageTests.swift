import Foundation
import Reports
import Support
import TestFixtures
import Testing

/// Class and file names that are markup, comment openers, line separators, quotes and
/// backslashes, in every page imgclf writes or serves (report.html, `evaluate --html`, the
/// serving page), looked at in headless Chromium: each page renders fully, shows the names
/// verbatim, and runs nothing of them.
@Suite(.serialized, .removesTemporaryFolders)
struct HostileNamesPageTests {
    /// One per class of the 4-class model; `<!--<script>` alone would blank a page that
    /// embeds names unescaped.
    static let names = [
        "<!--<script>",
        "</script><script>alert(1)</script>",
        "line\u{2028}separator\u{2029}paragraph",
        "\"double\" 'single' \\back\\slash\\",
    ]

    /// The 4-class serving fixture (ResNet-8, 3x28x28) with `names` as its classes.json.
    static func model() throws -> URL {
        let folder = TemporaryFolders.url("hostile-model")
        try FileManager.default.copyItem(at: SharedFixtures.model("resnet8-3x28x28"), to: folder)
        let classes = folder.appendingPathComponent("classes.json")
        try? FileManager.default.removeItem(at: classes)
        try JSONSerialization.data(withJSONObject: names).write(to: classes)
        return folder
    }

    /// Images under hostile file names, labelled by a .lst (labels are numbers there): the
    /// model answers class 1 for both, so the one labelled 0 is a mistake the page shows.
    static func data() throws -> URL {
        let folder = try TemporaryFolders.make("hostile-data")
        let files = ["<!--<script> a.png", "b\u{2028}\"q\" \\.png"]
        for (file, image) in zip(files, ["rgb0.png", "rgb1.png"]) {
            try FileManager.default.copyItem(at: SharedFixtures.image(image), to: folder.appendingPathComponent(file))
        }
        try Data("0\t0\t\(files[0])\n1\t1\t\(files[1])\n".utf8).write(to: folder.appendingPathComponent("data.lst"))
        return folder
    }

    static func expectShown(_ view: ReportTools.ReportView, cells: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(view.console_errors.isEmpty, "\(view.console_errors)", sourceLocation: sourceLocation)
        #expect(view.scripts == 2, "no name became a script element", sourceLocation: sourceLocation)
        #expect(view.alerts.isEmpty, "\(view.alerts)", sourceLocation: sourceLocation)
        #expect(view.confusion_cells == cells, sourceLocation: sourceLocation)
        for name in names { #expect(view.text.contains(name), "\(name) shown verbatim", sourceLocation: sourceLocation) }
    }

    /// The embedded JSON holds none of the characters that could end or change the script
    /// element, and still reads back as the same names.
    @Test func theEmbeddedJSONIsInertAndEquivalent() throws {
        let json = try JSONSerialization.data(withJSONObject: ["classes": Self.names + ["a&b>c", "<!-- x -->"]])
        let safe = EmbeddedPage.scriptSafe(json)
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] { #expect(!safe.contains(bad), "\(bad)") }
        let back = try #require(try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: [String]])
        #expect(back["classes"] == Self.names + ["a&b>c", "<!-- x -->"])
        let page = EmbeddedPage(template: Array("<script type=\"application/json\">TOKEN</script><p>after</p>".utf8), token: "TOKEN")
            .render(json: json)
        #expect(page.hasSuffix("</script><p>after</p>") && page.components(separatedBy: "</script>").count == 2)
    }

    @Test func reportHTMLShowsTheNames() throws {
        let output = TemporaryFolders.url("hostile-report", pathExtension: "html")
        let data = try Self.data()
        let outcome = try ImgclfBinary.run(["report", Self.model().path, "--data", data.path, "--lst",
                                            data.appendingPathComponent("data.lst").path, "--output", output.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let embedded = try EmbeddedJSON.object(in: String(contentsOf: output, encoding: .utf8), id: "report-data")
        #expect((embedded["model"] as? [String: Any])?["classes"] as? [String] == Self.names)
        Self.expectShown(try ReportTools.viewReport(output, classes: Self.names.count), cells: 16)
    }

    @Test func evaluateHTMLShowsTheNamesAndFileNames() throws {
        let html = TemporaryFolders.url("hostile-evaluation", pathExtension: "html")
        let data = try Self.data()
        let outcome = try ImgclfBinary.run(["evaluate", "--model", Self.model().path, "--data", data.path,
                                            "--lst", data.appendingPathComponent("data.lst").path, "--html", html.path, "--json"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let view = try ReportTools.viewReport(html, classes: Self.names.count)
        Self.expectShown(view, cells: 16)
        #expect(view.mistakes == 1, "the image labelled 0 and answered 1")
        #expect(view.text.contains("<!--<script> a.png"), "the mistake's file name, verbatim")
    }

    @Test func theServingPageShowsTheNames() async throws {
        let folder = TemporaryFolders.url("hostile-serve")
        let server = try ServerProcess(model: Self.model(), folder: folder)
        _ = try await server.ready()
        let (page, _) = try await server.get("/")
        let card = try EmbeddedJSON.object(in: String(decoding: page, as: UTF8.self), id: "model-card")
        #expect(card["classes"] as? [String] == Self.names)
        let view = try ReportTools.run("browser_check.py", ["serve", server.url("/").absoluteString,
                                                            "--image", SharedFixtures.image("rgb0.png").path],
                                       as: ReportTools.ServeView.self)
        #expect(view.state == "done", "\(view)")
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.scripts == 2 && view.alerts.isEmpty, "\(view.alerts)")
        #expect(view.top1_index == 1)
        for name in Self.names { #expect(view.text.contains(name), "\(name) shown verbatim") }
    }
}
