import Foundation
import Support

/// A `.rec` and its `.idx` written under temporary names beside their final ones, then put in
/// place together. The old index is removed first, then the new `.rec` and `.idx` are renamed
/// over: a kill between the steps leaves a `.rec` without an index (read sequentially) and never
/// a `.rec` beside an index of another `.rec`, nor a partial file under a final name.
struct StagedPair {
    let rec: URL
    let idx: URL
    let temporaryRec: URL
    let temporaryIdx: URL

    init(rec: URL, idx: URL) {
        self.rec = rec
        self.idx = idx
        let tag = "tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        temporaryRec = rec.deletingLastPathComponent().appendingPathComponent(".\(rec.lastPathComponent).\(tag)")
        temporaryIdx = idx.deletingLastPathComponent().appendingPathComponent(".\(idx.lastPathComponent).\(tag)")
    }

    func commit() throws {
        for file in [temporaryRec, temporaryIdx] {
            let fd = open(file.path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
        guard unlink(idx.path) == 0 || errno == ENOENT else { throw failure(idx, "cannot remove the old index") }
        guard rename(temporaryRec.path, rec.path) == 0 else { throw failure(rec, "cannot rename the packed file into place") }
        guard rename(temporaryIdx.path, idx.path) == 0 else { throw failure(idx, "cannot rename the index into place") }
    }

    /// Removes whatever temporary file is left (after a failure, or nothing after `commit`).
    func discard() {
        unlink(temporaryRec.path)
        unlink(temporaryIdx.path)
    }

    private func failure(_ file: URL, _ what: String) -> Im2RecError {
        .io("\(file.path): \(what): \(SystemErrorText.current())")
    }
}
