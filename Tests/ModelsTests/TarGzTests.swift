import Foundation
import Models
import TestFixtures
import Testing

/// `model.tar.gz` reading under hostile archives: every test writes its own archive into
/// a temporary folder and expects a quick error naming the archive, the member and the cap.
@Suite(.removesTemporaryFolders) struct TarGzTests {
    /// A temporary folder with the given files packed into `model.tar.gz`.
    final class Archive {
        let folder = TemporaryFolders.url("targz")
        var url: URL { folder.appendingPathComponent("model.tar.gz") }

        init(_ members: [(name: String, bytes: Int)]) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var files: [(name: String, path: URL)] = []
            for (i, m) in members.enumerated() {
                let path = folder.appendingPathComponent("member-\(i)")
                try Data(count: m.bytes).write(to: path)
                files.append((m.name, path))
            }
            try TarGz.write(files, to: url)
        }

        deinit { try? FileManager.default.removeItem(at: folder) }
    }

    func readError(_ archive: Archive, limits: TarGz.Limits) -> String? {
        do {
            _ = try TarGz.read(contentsOf: archive.url, limits: limits)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// 32 MiB of zeros is about 32 KiB compressed: refused from its declared size, before
    /// it is inflated, in well under a second.
    @Test func gzipBombMemberFailsQuicklyWithoutInflating() throws {
        let archive = try Archive([("image-classification-0000.params", 32 << 20)])
        let size = try FileManager.default.attributesOfItem(atPath: archive.url.path)[.size] as? Int ?? 0
        #expect(size < 1 << 20)
        let rssBefore = Self.peakRSS()
        let start = Date()
        let text = readError(archive, limits: .init(paramsMemberBytes: 1 << 20))
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(Self.peakRSS() - rssBefore < 16 << 20, "the member was inflated")
        #expect(text?.contains(archive.url.path) == true && text?.contains("image-classification-0000.params") == true
                && text?.contains("1048576-byte limit") == true, "\(text ?? "read")")
    }

    @Test func metadataMembersHaveASmallerCap() throws {
        let archive = try Archive([("classes.json", 2 << 20)])
        let text = readError(archive, limits: .init(otherMemberBytes: 1 << 20))
        #expect(text?.contains("classes.json") == true && text?.contains("1048576-byte limit") == true, "\(text ?? "read")")
    }

    @Test func totalCapCountsEveryMemberRead() throws {
        let archive = try Archive([("a-symbol.json", 600 << 10), ("classes.json", 600 << 10)])
        let text = readError(archive, limits: .init(totalBytes: 1 << 20))
        #expect(text?.contains("1048576-byte limit on all members") == true, "\(text ?? "read")")
        #expect(readError(archive, limits: .init(totalBytes: 2 << 20)) == nil)
    }

    @Test func membersTheArtifactDoesNotNeedAreSkipped() throws {
        let archive = try Archive([("video.mp4", 4 << 20), ("x/model-shapes.json", 10), ("notes.txt", 10)])
        let files = try TarGz.read(contentsOf: archive.url, limits: .init(totalBytes: 1 << 20))
        #expect(Array(files.keys) == ["x/model-shapes.json"])
    }

    @Test(arguments: ["../escape-symbol.json", "a/../../b.params", "/etc/evil.json"])
    func pathsThatLeaveTheArchiveAreRefused(name: String) throws {
        let archive = try Archive([(name, 10)])
        let text = readError(archive, limits: .init())
        #expect(text?.contains("'..'") == true && text?.contains(archive.url.path) == true, "\(text ?? "read")")
    }

    /// The default caps are the ones the documentation states ("`model.tar.gz` members at most
    /// 2 GiB (`.params`) or 64 MiB (others) and 4 GiB in all", in README.md or docs/).
    @Test func defaultsAreTheDocumentedOnes() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = repository.appendingPathComponent("docs")
        let files = [repository.appendingPathComponent("README.md")]
            + (try FileManager.default.contentsOfDirectory(atPath: docs.path)).filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
        // The prose is wrapped: match it with every run of white space made one space.
        let text = try files.map { try String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let stated = #/`model\.tar\.gz` members at most (\d+) ([GM])iB \(`\.params`\) or (\d+) ([GM])iB \(others\) and (\d+) ([GM])iB in all/#
        let match = try #require(text.firstMatch(of: stated), "no sentence stating the model.tar.gz caps in README.md or docs/")
        func bytes(_ count: Substring, _ unit: Substring) throws -> Int { try #require(Int(count)) << (unit == "G" ? 30 : 20) }
        let limits = TarGz.Limits()
        #expect(limits.paramsMemberBytes == (try bytes(match.1, match.2)))
        #expect(limits.otherMemberBytes == (try bytes(match.3, match.4)))
        #expect(limits.totalBytes == (try bytes(match.5, match.6)))
    }

    static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
