/// Reads one whole record (all its parts) from a byte source, checking every header.
enum RecordAssembler {
    /// The next record's first-part offset and payload, or nil at a clean end of the data.
    static func next(from input: inout ByteSource) throws(RecordIOError) -> (offset: UInt64, payload: [UInt8])? {
        let recordOffset = input.position
        var payload: [UInt8] = []
        var first = true
        while true {
            let partOffset = input.position
            var header: (UInt32, UInt32) = (0, 0)
            let got = try input.readHeader(&header)
            if got == 0 && first { return nil }
            guard got == 8 else {
                if got == 0 {
                    throw .badContinuation(source: input.source, offset: partOffset, cflag: 0,
                                           expected: "a continuation part (cflag 2 or 3) of the record at offset \(recordOffset), but the data ended")
                }
                throw .truncatedHeader(source: input.source, offset: partOffset, got: got)
            }
            guard header.0 == RecordIO.magic else {
                throw .badMagic(source: input.source, offset: partOffset, found: header.0)
            }
            let cflag = RecordIO.cflag(header.1)
            let length = RecordIO.length(header.1)
            if first && (cflag == 2 || cflag == 3) || cflag > 3 {
                throw .badContinuation(source: input.source, offset: partOffset, cflag: cflag,
                                       expected: "the start of a record (cflag 0 or 1)")
            }
            if !first && (cflag == 0 || cflag == 1) {
                throw .badContinuation(source: input.source, offset: partOffset, cflag: cflag,
                                       expected: "a continuation part (cflag 2 or 3) of the record at offset \(recordOffset)")
            }
            let padded = RecordIO.padded(length)
            // Records are smaller than 2^29 bytes in all (MXNet's writer refuses larger ones); a stream
            // of continuation parts must not grow one without end.
            if payload.count + length >= RecordIO.maxLength {
                throw .recordTooLarge(source: input.source, size: payload.count + length)
            }
            // A file's size is known: a length longer than what is left is a truncation, reported
            // before anything is allocated for it.
            if let remaining = input.remaining, UInt64(padded) > remaining {
                throw .truncatedPayload(source: input.source, offset: partOffset, expected: padded, got: Int(remaining))
            }
            let read = try input.read(padded, into: &payload)
            guard read == padded else {
                throw .truncatedPayload(source: input.source, offset: partOffset, expected: padded, got: read)
            }
            payload.removeLast(padded - length)
            if cflag == 0 || cflag == 3 { return (recordOffset, payload) }
            // The writer dropped the magic word where it split: put it back.
            RecordIO.appendLE(RecordIO.magic, to: &payload)
            first = false
        }
    }
}
