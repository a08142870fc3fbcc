import CTurboJPEG

/// JPEG decoding through libjpeg-turbo's TurboJPEG API (baseline, progressive, gray, CMYK/YCCK).
/// The pixels come out upright: the EXIF orientation is applied, as OpenCV's `imdecode` does for
/// MXNet, so a phone photo stored sideways trains and serves as it was taken.
///
/// The DCT and upsampling are TurboJPEG's defaults (accurate integer DCT, fancy upsampling), the
/// same libjpeg defaults OpenCV's `imdecode` uses, so pixels match MXNet's decoder.
enum JPEGCodec {
    struct Header { var width: Int; var height: Int; var channels: Int; var colorspace: Int32 }

    /// The upright size: width and height swapped when the EXIF orientation turns the image.
    static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> Header {
        guard let handle = tjInitDecompress() else { throw .corrupt("libjpeg-turbo could not start a decompressor") }
        defer { tjDestroy(handle) }
        var h = try readHeader(handle, bytes)
        if ExifOrientation.swapsSides(ExifOrientation.read(bytes)) { (h.width, h.height) = (h.height, h.width) }
        return h
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(ImageDecodeError) -> Image {
        guard let handle = tjInitDecompress() else { throw .corrupt("libjpeg-turbo could not start a decompressor") }
        defer { tjDestroy(handle) }
        let h = try readHeader(handle, bytes)
        let orientation = ExifOrientation.read(bytes)
        let upright = ExifOrientation.swapsSides(orientation) ? (h.height, h.width) : (h.width, h.height)
        try ImageDecoder.checkSize(width: upright.0, height: upright.1, options: options)

        let isCMYK = h.colorspace == Int32(TJCS_CMYK.rawValue) || h.colorspace == Int32(TJCS_YCCK.rawValue)
        // libjpeg cannot convert CMYK/YCCK to RGB or gray: decode to CMYK and convert here.
        let pixelFormat: TJPF = isCMYK ? TJPF_CMYK : (options.channels == 1 ? TJPF_GRAY : TJPF_RGB)
        let outChannels = isCMYK ? 4 : options.channels
        var pixels = [UInt8](repeating: 0, count: h.width * h.height * outChannels)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                          out.baseAddress, Int32(h.width), 0, Int32(h.height), Int32(pixelFormat.rawValue), 0)
        }
        if status != 0 {
            // A warning (for example "Premature end of JPEG file") still leaves part of the image grey:
            // treat it as a failure of this image rather than training on a damaged picture.
            throw .corrupt(message(handle))
        }
        if isCMYK { pixels = ColorConversion.cmykToTarget(pixels, channels: options.channels) }
        return Image(width: h.width, height: h.height, channels: options.channels, pixels: pixels).oriented(orientation)
    }

    private static func readHeader(_ handle: tjhandle, _ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> Header {
        var width: Int32 = 0, height: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        let status = tjDecompressHeader3(handle, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                         UInt(bytes.count), &width, &height, &subsamp, &colorspace)
        // libjpeg-turbo may accept a header cut before its frame and report a 0x0 image.
        guard status == 0, width > 0, height > 0 else {
            if JPEGFrameSearch.endsBeforeFrame(bytes) {
                throw .corrupt("JPEG: the data is truncated before its SOF marker (the frame header with the image's size): "
                    + "it ends after \(bytes.count) bytes; the file was cut short")
            }
            if status == 0 { throw .corrupt("the header declares a \(width)x\(height) image") }
            throw .corrupt(message(handle))
        }
        let channels: Int
        switch colorspace {
        case Int32(TJCS_GRAY.rawValue): channels = 1
        case Int32(TJCS_CMYK.rawValue), Int32(TJCS_YCCK.rawValue): channels = 4
        default: channels = 3
        }
        return Header(width: Int(width), height: Int(height), channels: channels, colorspace: colorspace)
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let c = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return "JPEG: " + String(cString: c)
    }
}
