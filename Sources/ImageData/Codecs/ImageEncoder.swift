import CPNG
import CTurboJPEG

/// Encodes images as JPEG (libjpeg-turbo) or PNG (libpng), as im2rec's `pack_img` does with OpenCV.
public enum ImageEncoder {
    /// Baseline JPEG, 4:2:0 chroma subsampling for colour (libjpeg's and OpenCV's default), quality 1...100.
    public static func jpeg(_ image: Image, quality: Int) throws -> [UInt8] {
        guard let handle = tjInitCompress() else { throw ImageEncodeError.failed("libjpeg-turbo could not start a compressor") }
        defer { tjDestroy(handle) }
        let format = image.channels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsamp = image.channels == 1 ? TJSAMP_GRAY : TJSAMP_420
        var outBuf: UnsafeMutablePointer<UInt8>? = nil
        var outSize: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                        &outBuf, &outSize, Int32(subsamp.rawValue), Int32(min(max(quality, 1), 100)), 0)
        }
        defer { if let outBuf { tjFree(outBuf) } }
        guard status == 0, let outBuf else {
            throw ImageEncodeError.failed(tjGetErrorStr2(handle).map { String(cString: $0) } ?? "JPEG compression failed")
        }
        return Array(UnsafeBufferPointer(start: outBuf, count: Int(outSize)))
    }

    /// 8-bit gray or RGB PNG. The simplified libpng API has no compression level: levels 0...3 ask
    /// for its fast setting, higher levels for its default (zlib's default), which is what matters
    /// for size; the pixels are identical either way.
    public static func png(_ image: Image, compression: Int = 3) throws -> [UInt8] {
        // Heap-allocated: libpng keeps the address for error reporting.
        let descPtr = UnsafeMutablePointer<png_image>.allocate(capacity: 1)
        descPtr.initialize(to: png_image())
        defer { png_image_free(descPtr); descPtr.deallocate() }
        var desc = png_image()
        desc.version = UInt32(PNG_IMAGE_VERSION)
        desc.width = UInt32(image.width)
        desc.height = UInt32(image.height)
        desc.format = image.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        if compression <= 3 { desc.flags |= UInt32(PNG_IMAGE_FLAG_FAST) }
        descPtr.pointee = desc
        // First call sizes the output, second writes it.
        var size = 0
        let sized = image.pixels.withUnsafeBytes { src in
            png_image_write_to_memory(descPtr, nil, &size, 0, src.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else { throw ImageEncodeError.failed("PNG: could not size the output") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { dst in
            image.pixels.withUnsafeBytes { src in
                png_image_write_to_memory(descPtr, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw ImageEncodeError.failed("PNG: libpng could not write the image") }
        return Array(out.prefix(size))
    }
}
