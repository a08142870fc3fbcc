import CPNG

/// PNG decoding through libpng's simplified API (`png_image_*`), which catches libpng's errors itself
/// (no setjmp/longjmp across Swift frames). Gray, gray+alpha, RGB, RGBA, palette and 16-bit files.
///
/// Matching OpenCV's `imread(path, IMREAD_COLOR)` (what MXNet and im2rec use):
/// - alpha is dropped, not composited on a background (OpenCV calls `png_set_strip_alpha`), so we read
///   the file's own layout with alpha, unassociated, and discard the alpha samples;
/// - gray is replicated into R, G and B (`png_set_gray_to_rgb`);
/// - RGB to gray uses libpng's `png_set_rgb_to_gray(0.299, 0.587)` weights;
/// - 16-bit samples are reduced to 8 bits without gamma conversion (we mark them as sRGB-encoded so
///   libpng only rescales them; OpenCV keeps the high byte, so samples can differ by 1).
enum PNGCodec {
    struct Header { var width: Int; var height: Int; var channels: Int }

    static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> Header {
        let image = try begin(bytes)
        defer { png_image_free(image); image.deallocate() }
        return Header(width: Int(image.pointee.width), height: Int(image.pointee.height), channels: fileChannels(image.pointee.format))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(ImageDecodeError) -> Image {
        let image = try begin(bytes)
        // libpng keeps this address for its error messages: the png_image must not move, so it lives
        // on the heap. png_image_free is harmless after finish_read has already freed the internals.
        defer { png_image_free(image); image.deallocate() }
        let width = Int(image.pointee.width), height = Int(image.pointee.height)
        try ImageDecoder.checkSize(width: width, height: height, options: options)
        let hasAlpha = image.pointee.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let isColor = image.pointee.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        // 8-bit, not premultiplied, in the file's own channel layout.
        image.pointee.format = (isColor ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        image.pointee.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let fileChannels = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        var raw = [UInt8](repeating: 0, count: width * height * fileChannels)
        let ok = raw.withUnsafeMutableBytes { out in
            png_image_finish_read(image, nil, out.baseAddress, 0, nil)
        }
        guard ok != 0 else { throw .corrupt("PNG: " + message(image)) }
        return Image(width: width, height: height, channels: options.channels,
                     pixels: convert(raw, from: fileChannels, to: options.channels, count: width * height))
    }

    private static func begin(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> UnsafeMutablePointer<png_image> {
        let image = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        image.initialize(to: png_image())
        image.pointee.version = UInt32(PNG_IMAGE_VERSION)
        let ok = png_image_begin_read_from_memory(image, bytes.baseAddress, bytes.count)
        guard ok != 0 else {
            let text = message(image)
            png_image_free(image)
            image.deallocate()
            throw .corrupt("PNG: " + text)
        }
        return image
    }

    private static func fileChannels(_ format: UInt32) -> Int {
        (format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 3 : 1) + (format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
    }

    private static func message(_ image: UnsafeMutablePointer<png_image>) -> String {
        withUnsafeBytes(of: &image.pointee.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown libpng error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Drops alpha, replicates gray or reduces colour to gray, as OpenCV does.
    private static func convert(_ raw: [UInt8], from source: Int, to target: Int, count: Int) -> [UInt8] {
        if source == target { return raw }
        var out = [UInt8](repeating: 0, count: count * target)
        raw.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let s = i * source
                    if source <= 2 {  // gray or gray+alpha
                        let v = src[s]
                        if target == 1 { dst[i] = v } else { dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v }
                    } else if target == 3 {  // RGBA -> RGB
                        dst[3 * i] = src[s]; dst[3 * i + 1] = src[s + 1]; dst[3 * i + 2] = src[s + 2]
                    } else {
                        dst[i] = ColorConversion.pngGray(src[s], src[s + 1], src[s + 2])
                    }
                }
            }
        }
        return out
    }
}
