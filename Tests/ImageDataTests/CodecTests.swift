import Foundation
import Testing
import ImageData

/// JPEG/PNG decoding by content. Images in Resources/codecs come from a crop of a real photo
/// (china.jpg) by make_codec_fixtures.c.txt; corrupt ones are real files truncated or patched here.
@Suite struct CodecTests {
    static func load(_ name: String) throws -> [UInt8] {
        try RecordIOFixtures.bytes(RecordIOFixtures.codecs.appendingPathComponent(name))
    }
    static func decode(_ name: String, channels: Int = 3) throws -> Image {
        try ImageDecoder.decode(load(name), options: DecodeOptions(channels: channels))
    }
    static func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(a.count, 1))
    }

    @Test func sniffsByContentNotName() throws {
        #expect(ImageFormat.sniff(try Self.load("baseline.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(try Self.load("rgb.png")) == .png)
        #expect(ImageFormat.sniff(Array("hello".utf8)) == nil)
        // A PNG under a .PNG/.jpg name is still a PNG: the tree has img2.PNG files.
        #expect(ImageFormat.sniff(try RecordIOFixtures.bytes(RecordIOFixtures.url("tree/cat/img2.PNG"))) == .png)
        #expect(throws: ImageDecodeError.unknownFormat) { try ImageDecoder.decode(Array("hello".utf8)) }
        #expect(throws: ImageDecodeError.empty) { try ImageDecoder.decode([UInt8]()) }
    }

    @Test func pngLayoutsMatchOpenCV() throws {
        let rgb = try Self.decode("rgb.png")
        #expect(rgb.width == 40 && rgb.height == 30 && rgb.channels == 3)
        // 16-bit samples v*257 read back as v; alpha dropped without compositing (as cv2.imread flag 1).
        #expect(try Self.decode("rgb16.png") == rgb)
        #expect(try Self.decode("rgba.png") == rgb)
        let gray = try Self.decode("gray.png", channels: 1)
        #expect(gray.channels == 1)
        #expect(try Self.decode("gray_alpha.png", channels: 1) == gray)
        // Gray to colour replicates the sample.
        let grayRGB = try Self.decode("gray.png")
        #expect(grayRGB.pixels == gray.pixels.flatMap { [$0, $0, $0] })
        // Palette expands through the colour map.
        #expect(try Self.decode("palette.png") == Self.decode("palette_expected_rgb.png"))
        // Colour to gray with libpng's rgb_to_gray(0.299, 0.587) weights, as OpenCV asks.
        let toGray = try Self.decode("rgb.png", channels: 1)
        for i in 0..<(40 * 30) {
            let r = Int(rgb.pixels[3 * i]), g = Int(rgb.pixels[3 * i + 1]), b = Int(rgb.pixels[3 * i + 2])
            #expect(Int(toGray.pixels[i]) == (r * 9798 + g * 19235 + b * 3735 + 16384) >> 15)
        }
        let h = try ImageDecoder.header(Self.load("rgba.png"))
        #expect(h.width == 40 && h.height == 30 && h.channels == 4 && h.format == .png)
    }

    @Test func jpegVariants() throws {
        let baseline = try Self.decode("baseline.jpg")
        #expect(baseline.width == 40 && baseline.height == 30)
        // A lossless progressive re-encoding decodes to the same pixels.
        #expect(try Self.decode("progressive.jpg") == baseline)
        // The source crop (lossless PNG) is close to the JPEG (q90, 4:2:0, a textured crop).
        #expect(Self.meanAbsDiff(baseline.pixels, try Self.decode("rgb.png").pixels) < 6)
        let gray = try Self.decode("gray.jpg", channels: 1)
        #expect(gray.channels == 1)
        #expect(try Self.decode("gray.jpg").pixels == gray.pixels.flatMap { [$0, $0, $0] })
        // CMYK (Adobe, inverted) converted as OpenCV does comes back near the RGB it was made from.
        let cmyk = try Self.decode("cmyk.jpg")
        #expect(Self.meanAbsDiff(cmyk.pixels, try Self.decode("rgb.png").pixels) < 6)
        #expect(try ImageDecoder.header(Self.load("cmyk.jpg")).channels == 4)
        #expect(try Self.decode("cmyk.jpg", channels: 1).channels == 1)
        // Colour JPEG to gray: the luma channel.
        #expect(Self.meanAbsDiff(try Self.decode("baseline.jpg", channels: 1).pixels, try Self.decode("gray.png", channels: 1).pixels) < 4)
    }

    @Test(arguments: ["baseline.jpg", "progressive.jpg", "rgb.png", "palette.png", "rgb16.png"])
    func truncatedFilesAreErrors(name: String) throws {
        let bytes = try Self.load(name)
        for cut in [bytes.count / 2, bytes.count * 3 / 4, 10, 3] {
            let result = Result { try ImageDecoder.decode(Array(bytes.prefix(cut))) }
            #expect(throws: ImageDecodeError.self, "\(name) cut at \(cut)") { _ = try result.get() }
        }
    }

    @Test func truncatedRealPhotoIsClearError() throws {
        let bytes = try RecordIOFixtures.bytes(RecordIOFixtures.url("tree/dog/img1.jpg"))
        let error = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(Array(bytes.prefix(bytes.count * 2 / 3))) }
        #expect(error?.description.contains("corrupt or truncated image") == true)
        // Garbage after a valid signature.
        var garbage = Array(bytes.prefix(200))
        for i in 20..<200 { garbage[i] = UInt8(truncatingIfNeeded: i &* 37) }
        #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(garbage) }
    }

    /// A header declaring a huge image fails before any pixel buffer is allocated.
    @Test func pixelLimitIsCheckedBeforeAllocating() throws {
        #expect(throws: ImageDecodeError.tooLarge(width: 40, height: 30, limit: 1000)) {
            try ImageDecoder.decode(Self.load("baseline.jpg"), options: DecodeOptions(maxPixels: 1000))
        }
        // JPEG: patch the SOF0 frame size to 60000 x 60000.
        var jpeg = try Self.load("baseline.jpg")
        let sof = (0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }!
        jpeg[sof + 5] = 0xEA; jpeg[sof + 6] = 0x60; jpeg[sof + 7] = 0xEA; jpeg[sof + 8] = 0x60
        #expect(throws: ImageDecodeError.tooLarge(width: 60000, height: 60000, limit: 100_000_000)) {
            try ImageDecoder.decode(jpeg)
        }
        // PNG: patch IHDR to 100000 x 100000 and fix its CRC so libpng accepts the header.
        var png = try Self.load("rgb.png")
        let size: [UInt8] = [0x00, 0x01, 0x86, 0xA0]
        for i in 0..<4 { png[16 + i] = size[i]; png[20 + i] = size[i] }
        let crc = crc32(Array(png[12..<29]))
        for i in 0..<4 { png[29 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        #expect(throws: ImageDecodeError.tooLarge(width: 100000, height: 100000, limit: 100_000_000)) {
            try ImageDecoder.decode(png)
        }
        #expect(try ImageDecoder.header(png).width == 100000)
    }

    /// The README's 8192-pixel side limit holds for PNG and JPEG whatever the pixel count:
    /// a 9000x1 image (9000 pixels) is refused, naming the side and the limit.
    @Test(arguments: [(9000, 1), (1, 9000), (8193, 8)])
    func sideLimitIsChecked(width: Int, height: Int) throws {
        let image = Image(width: width, height: height, channels: 3, fill: 128)
        for (format, bytes) in [("PNG", try ImageEncoder.png(image)), ("JPEG", try ImageEncoder.jpeg(image, quality: 90))] {
            let error = #expect(throws: ImageDecodeError.self, "\(format)") { try ImageDecoder.decode(bytes) }
            #expect(error == .sideTooLong(width: width, height: height, limit: 8192), "\(format)")
            let side = width > 8192 ? "its width \(width)" : "its height \(height)"
            #expect(error?.description == "image too large: \(width)x\(height), \(side) is over the limit of 8192 pixels per side")
            #expect(try ImageDecoder.header(bytes).width == width, "the header alone still reads")
            // A tool that shrinks images anyway (im2rec) can lift it.
            #expect(try ImageDecoder.decode(bytes, options: DecodeOptions(maxSide: .max)).width == width)
        }
        // 8192 itself is allowed.
        #expect(try ImageDecoder.decode(ImageEncoder.png(Image(width: 8192, height: 1, channels: 1)), options: DecodeOptions(channels: 1)).width == 8192)
    }

    @Test func encodersRoundTrip() throws {
        let rgb = try Self.decode("rgb.png")
        #expect(try ImageDecoder.decode(ImageEncoder.png(rgb)) == rgb)
        let gray = try Self.decode("gray.png", channels: 1)
        #expect(try ImageDecoder.decode(ImageEncoder.png(gray, compression: 9), options: DecodeOptions(channels: 1)) == gray)
        let jpeg = try ImageEncoder.jpeg(rgb, quality: 95)
        #expect(ImageFormat.sniff(jpeg) == .jpeg)
        #expect(Self.meanAbsDiff(try ImageDecoder.decode(jpeg).pixels, rgb.pixels) < 5)
        let grayJPEG = try ImageEncoder.jpeg(gray, quality: 90)
        #expect(try ImageDecoder.header(grayJPEG).channels == 1)
    }

    @Test func bilinearResizeFollowsOpenCV() {
        // 2x2 -> 4x4: half-pixel centres, clamped edges (values from cv2.resize INTER_LINEAR).
        let src = Image(width: 2, height: 1, channels: 1, pixels: [0, 100])
        #expect(Resize.bilinear(src, width: 4, height: 1).pixels == [0, 25, 75, 100])
        // Exact 2x downscale averages 2x2 blocks.
        let block = Image(width: 4, height: 2, channels: 1, pixels: [10, 20, 30, 40, 50, 60, 70, 80])
        #expect(Resize.bilinear(block, width: 2, height: 1).pixels == [35, 55])
        let rgb = Image(width: 3, height: 3, channels: 3, fill: 77)
        let up = Resize.bilinear(rgb, width: 7, height: 5)
        #expect(up.width == 7 && up.height == 5 && up.pixels.allSatisfy { $0 == 77 })
    }
}

/// CRC-32 (PNG's chunk checksum), for patching test headers.
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
