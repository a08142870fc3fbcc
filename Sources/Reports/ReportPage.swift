import Support

extension EmbeddedPage {
    /// The training and evaluation report (Resources/report.html).
    public static let report = EmbeddedPage(template: PackageResources.report_html, token: "__IMGCLF_REPORT_DATA__")
}
