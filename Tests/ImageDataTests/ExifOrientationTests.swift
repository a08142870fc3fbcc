import Foundation
import Testing
import ImageData

/// JPEG EXIF orientation (tag 0x0112): applied when decoding, as OpenCV's `imdecode` does for
/// MXNet, and read safely from hostile bytes. The test JPEGs are baseline.jpg (40x30) with an
/// APP1 "Exif" segment inserted after SOI, so the compressed pixels are the same and the
/// expected result is the exact rotation of the plain decode.
@Suite struct ExifOrientationTests {
    static func baseline() throws -> [UInt8] { try CodecTests.load("baseline.jpg") }

    /// `jpeg` with `app1` (the segment's payload) inserted right after SOI.
    static func inserting(app1 payload: [UInt8], into jpeg: [UInt8], length: Int? = nil) -> [UInt8] {
        let n = length ?? payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            + payload + jpeg.dropFirst(2)
    }

    /// An "Exif\0\0" payload whose IFD0 holds `entries` (tag, type, count, value), in either byte order.
    static func exif(littleEndian: Bool, entries: [(tag: Int, type: Int, count: Int, value: Int)],
                     ifdOffset: Int = 8, entryCount: Int? = nil) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] {
            let b = [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
            return littleEndian ? b.reversed() : b
        }
        func u32(_ v: Int) -> [UInt8] {
            let b = (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) }
            return littleEndian ? b.reversed() : b
        }
        var tiff: [UInt8] = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(ifdOffset)
        tiff += u16(entryCount ?? entries.count)
        for e in entries {
            // A SHORT value sits left-justified in the 4-byte value field.
            tiff += u16(e.tag) + u16(e.type) + u32(e.count) + (e.type == 3 ? u16(e.value) + [0, 0] : u32(e.value))
        }
        tiff += u32(0)  // no next IFD
        return Array("Exif".utf8) + [0, 0] + tiff
    }

    static func oriented(_ orientation: Int, littleEndian: Bool = true) throws -> [UInt8] {
        inserting(app1: exif(littleEndian: littleEndian, entries: [(0x010F, 2, 1, 0), (0x0112, 3, 1, orientation)]),
                  into: try baseline())
    }

    // The expected views, written as OpenCV's ExifTransform does (transpose, then flip).
    static func pixel(_ image: Image, _ x: Int, _ y: Int) -> ArraySlice<UInt8> {
        let s = (y * image.width + x) * image.channels
        return image.pixels[s..<(s + image.channels)]
    }
    static func mapped(_ image: Image, width: Int, height: Int, _ source: (Int, Int) -> (Int, Int)) -> Image {
        var out: [UInt8] = []
        for y in 0..<height { for x in 0..<width { let (sx, sy) = source(x, y); out += pixel(image, sx, sy) } }
        return Image(width: width, height: height, channels: image.channels, pixels: out)
    }
    static func flipH(_ i: Image) -> Image { mapped(i, width: i.width, height: i.height) { (i.width - 1 - $0, $1) } }
    static func flipV(_ i: Image) -> Image { mapped(i, width: i.width, height: i.height) { ($0, i.height - 1 - $1) } }
    static func transpose(_ i: Image) -> Image { mapped(i, width: i.height, height: i.width) { ($1, $0) } }
    static func expected(_ plain: Image, orientation: Int) -> Image {
        switch orientation {
        case 2: return flipH(plain)
        case 3: return flipV(flipH(plain))
        case 4: return flipV(plain)
        case 5: return transpose(plain)
        case 6: return flipH(transpose(plain))
        case 7: return flipV(flipH(transpose(plain)))
        case 8: return flipV(transpose(plain))
        default: return plain
        }
    }

    @Test(arguments: 1...8, [true, false])
    func decodesUpright(orientation: Int, littleEndian: Bool) throws {
        let bytes = try Self.oriented(orientation, littleEndian: littleEndian)
        for channels in [3, 1] {
            let options = DecodeOptions(channels: channels)
            let plain = try ImageDecoder.decode(Self.baseline(), options: options)
            let decoded = try ImageDecoder.decode(bytes, options: options)
            #expect(decoded == Self.expected(plain, orientation: orientation), "orientation \(orientation), \(channels) channel(s)")
        }
        // The header reports the upright size: what size limits and resize decisions see.
        let header = try ImageDecoder.header(bytes)
        #expect(header.width == (orientation >= 5 ? 30 : 40) && header.height == (orientation >= 5 ? 40 : 30))
    }

    @Test func orientationSixIsAQuarterTurnClockwise() throws {
        // The top-left pixel shown is the stored bottom-left one; the shown top-right is the stored top-left.
        let plain = try ImageDecoder.decode(Self.baseline())
        let turned = try ImageDecoder.decode(Self.oriented(6))
        #expect(turned.width == 30 && turned.height == 40)
        #expect(Self.pixel(turned, 0, 0) == Self.pixel(plain, 0, 29))
        #expect(Self.pixel(turned, 29, 0) == Self.pixel(plain, 0, 0))
    }

    @Test func cmykAndProgressiveTurnToo() throws {
        for name in ["cmyk.jpg", "progressive.jpg", "gray.jpg"] {
            let file = try CodecTests.load(name)
            let plain = try ImageDecoder.decode(file)
            let turned = try ImageDecoder.decode(Self.inserting(app1: Self.exif(littleEndian: false, entries: [(0x0112, 3, 1, 8)]), into: file))
            #expect(turned == Self.expected(plain, orientation: 8), "\(name)")
        }
    }

    /// Damaged EXIF never traps and never hides the photo: the image decodes as stored.
    @Test func hostileExifDecodesAsStored() throws {
        let jpeg = try Self.baseline()
        let plain = try ImageDecoder.decode(jpeg)
        let le = true
        var payloads: [(String, [UInt8])] = [
            ("IFD offset past the end", Self.exif(littleEndian: le, entries: [(0x0112, 3, 1, 6)], ifdOffset: 5000)),
            ("IFD offset near Int32 max", Self.exif(littleEndian: le, entries: [(0x0112, 3, 1, 6)], ifdOffset: 0x7FFF_FFF0)),
            ("IFD offset 0xFFFFFFFF", Self.exif(littleEndian: false, entries: [(0x0112, 3, 1, 6)], ifdOffset: 0xFFFF_FFFF)),
            ("entry count past the segment", Self.exif(littleEndian: le, entries: [(0x010F, 2, 1, 0)], entryCount: 65535)),
            ("orientation 0", Self.exif(littleEndian: le, entries: [(0x0112, 3, 1, 0)])),
            ("orientation 9", Self.exif(littleEndian: le, entries: [(0x0112, 3, 1, 9)])),
            ("orientation 0xFFFF", Self.exif(littleEndian: le, entries: [(0x0112, 3, 1, 0xFFFF)])),
            ("orientation as a LONG", Self.exif(littleEndian: le, entries: [(0x0112, 4, 1, 6)])),
            ("IFD pointing at itself (loop)", Self.exif(littleEndian: le, entries: [(0x8769, 4, 1, 8)], ifdOffset: 8)),
            ("bad byte order", Array("Exif".utf8) + [0, 0, 0x49, 0x4D, 0, 42, 8, 0, 0, 0, 1, 0]),
            ("bad TIFF magic", Array("Exif".utf8) + [0, 0, 0x49, 0x49, 43, 0, 8, 0, 0, 0]),
            ("TIFF header cut short", Array("Exif".utf8) + [0, 0, 0x49, 0x49, 42]),
            ("only the Exif name", Array("Exif".utf8) + [0, 0]),
            ("name without its zeros", Array("Exif".utf8)),
            ("another APP1 (XMP)", Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]),
            ("empty segment", []),
        ]
        // Every cut of a valid block, so each read meets the end somewhere.
        let valid = Self.exif(littleEndian: le, entries: [(0x010F, 2, 1, 0), (0x0112, 3, 1, 6)])
        for cut in stride(from: 6, to: valid.count - 6, by: 1) { payloads.append(("cut at \(cut)", Array(valid.prefix(cut)))) }
        for (name, payload) in payloads {
            let bytes = Self.inserting(app1: payload, into: jpeg)
            #expect(try ImageDecoder.decode(bytes) == plain, "\(name)")
            #expect(try ImageDecoder.header(bytes).width == 40, "\(name)")
        }
    }

    /// Segment lengths that lie about the file: whatever libjpeg makes of them, nothing traps.
    @Test(arguments: [0, 1, 2, 3, 9, 0xFFFF])
    func lyingSegmentLengthNeverTraps(length: Int) throws {
        let jpeg = try Self.baseline()
        let payload = Self.exif(littleEndian: true, entries: [(0x0112, 3, 1, 6)])
        let bytes = Self.inserting(app1: payload, into: jpeg, length: length)
        for prefix in [bytes.count, 14, 8, 5] {
            let data = Array(bytes.prefix(prefix))
            _ = try? ImageDecoder.decode(data)
            _ = try? ImageDecoder.header(data)
        }
    }

    /// A quarter turn counts against the side limit in its upright size: a 9000x1 JPEG with
    /// orientation 6 is refused for its 9000-pixel height.
    @Test func sideLimitSeesTheUprightSize() throws {
        let wide = try ImageEncoder.jpeg(Image(width: 9000, height: 1, channels: 3, fill: 90), quality: 90)
        let turned = Self.inserting(app1: Self.exif(littleEndian: true, entries: [(0x0112, 3, 1, 6)]), into: wide)
        let error = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(turned) }
        #expect(error == .sideTooLong(width: 1, height: 9000, limit: 8192))
        #expect(error?.description.contains("its height 9000 is over the limit of 8192 pixels per side") == true)
    }
}
