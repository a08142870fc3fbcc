/// Decodes JPEG and PNG images chosen by their content (the signature bytes), never by a file name.
///
/// Every failure is an `ImageDecodeError` for that one image: a damaged or truncated file, or one whose
/// header declares more than `DecodeOptions.maxPixels`, never crashes and never allocates the pixel buffer.
public enum ImageDecoder {
    /// Decodes to `options.channels` channels (gray or RGB), 8 bits per sample.
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(ImageDecodeError) -> Image {
        let result: Result<Image, ImageDecodeError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(ImageDecodeError) in try decode(buffer, options: options) }
        }
        return try result.get()
    }

    /// Decodes from raw memory (for example a slice of a RecordIO payload) without copying it first.
    public static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions = DecodeOptions()) throws(ImageDecodeError) -> Image {
        guard bytes.count > 0 else { throw .empty }
        switch ImageFormat.sniff(bytes) {
        case .jpeg: return try JPEGCodec.decode(bytes, options: options)
        case .png: return try PNGCodec.decode(bytes, options: options)
        case nil: throw .unknownFormat
        }
    }

    /// Reads only the header: size (upright: a JPEG's EXIF quarter turn swaps it), the file's own channel count (1 gray, 2 gray+alpha, 3 colour,
    /// 4 colour+alpha or CMYK) and format. Cheap: no pixels are decoded.
    public static func header(_ bytes: [UInt8]) throws(ImageDecodeError) -> (width: Int, height: Int, channels: Int, format: ImageFormat) {
        let result: Result<(Int, Int, Int, ImageFormat), ImageDecodeError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(ImageDecodeError) in try header(buffer) }
        }
        let h = try result.get()
        return (h.0, h.1, h.2, h.3)
    }

    /// Header of an image in raw memory.
    public static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> (width: Int, height: Int, channels: Int, format: ImageFormat) {
        guard bytes.count > 0 else { throw .empty }
        switch ImageFormat.sniff(bytes) {
        case .jpeg:
            let h = try JPEGCodec.header(bytes)
            return (h.width, h.height, h.channels, .jpeg)
        case .png:
            let h = try PNGCodec.header(bytes)
            return (h.width, h.height, h.channels, .png)
        case nil: throw .unknownFormat
        }
    }

    /// Rejects a declared size (as `header` reports it: upright) over the limits before anything
    /// is allocated; the server checks a request's header with it too.
    public static func checkSize(width: Int, height: Int, options: DecodeOptions) throws(ImageDecodeError) {
        guard width > 0, height > 0 else { throw .corrupt("the header declares a \(width)x\(height) image") }
        // Checked: the pixel buffers hold up to 4 bytes per pixel, whatever limit was configured.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > options.maxPixels || pixels > Int.max / 4 {
            throw .tooLarge(width: width, height: height, limit: options.maxPixels)
        }
        if width > options.maxSide || height > options.maxSide {
            throw .sideTooLong(width: width, height: height, limit: options.maxSide)
        }
    }
}
