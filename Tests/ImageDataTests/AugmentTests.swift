import Foundation
import Testing
import ImageData

@Suite struct AugmentTests {
    let image = SourcesFixtures.pattern(width: 40, height: 30)

    func pixel(_ im: Image, _ x: Int, _ y: Int, _ c: Int) -> UInt8 { im.pixels[(y * im.width + x) * im.channels + c] }

    @Test func centreCropIsExact() {
        let aug = Augmenter(imageShape: [3, 10, 20], resize: nil, params: .none)
        var rng = SampleRNG(seed: 1)
        let out = aug.apply(image, rng: &rng)
        #expect(out.width == 20 && out.height == 10)
        // Offsets (40-20)/2 = 10 and (30-10)/2 = 10.
        for y in 0..<10 { for x in 0..<20 { for c in 0..<3 {
            #expect(pixel(out, x, y, c) == pixel(image, x + 10, y + 10, c))
        } } }
    }

    @Test func mirrorIsExact() {
        var params = AugmentParams.none
        params.randomMirror = true
        let aug = Augmenter(imageShape: [3, 30, 40], resize: nil, params: params)
        var mirrored = 0
        for seed in 0..<16 as Range<UInt64> {
            var rng = SampleRNG(seed: seed, epoch: 0, index: 0)
            let out = aug.apply(image, rng: &rng)
            if out == image { continue }
            mirrored += 1
            for y in 0..<30 { for x in 0..<40 { for c in 0..<3 {
                #expect(pixel(out, x, y, c) == pixel(image, 39 - x, y, c))
            } } }
        }
        #expect(mirrored > 0 && mirrored < 16)
    }

    @Test func randomCropStaysInsideAndVaries() {
        var params = AugmentParams.none
        params.randomCrop = true
        let aug = Augmenter(imageShape: [3, 10, 10], resize: nil, params: params)
        var seen = Set<[UInt8]>()
        for i in 0..<20 {
            var rng = SampleRNG(seed: 3, epoch: 0, index: i)
            let out = aug.apply(image, rng: &rng)
            // Some window of the source must equal it exactly.
            let found = (0...20).contains { y0 in (0...30).contains { x0 in
                (0..<10).allSatisfy { y in (0..<10).allSatisfy { x in pixel(out, x, y, 0) == pixel(image, x + x0, y + y0, 0) } }
            } }
            #expect(found)
            seen.insert(out.pixels)
        }
        #expect(seen.count > 5)
    }

    @Test func resizeSetsTheShorterSideThenCentreCrops() {
        // A 40x30 image resized to shorter side 15 is 20x15; centre crop 15x15 at x 2.
        let aug = Augmenter(imageShape: [3, 15, 15], resize: 15, params: .none)
        let reference = Resize.bilinear(image, width: 20, height: 15)
        var rng = SampleRNG(seed: 0)
        let out = aug.apply(image, rng: &rng)
        for y in 0..<15 { for x in 0..<15 { for c in 0..<3 {
            #expect(abs(Int(pixel(out, x, y, c)) - Int(pixel(reference, x + 2, y, c))) <= 1)
        } } }
    }

    @Test func smallerImageIsScaledUpToFit() {
        let small = SourcesFixtures.pattern(width: 12, height: 8)
        let aug = Augmenter(imageShape: [3, 16, 16], resize: nil, params: .training(.crop))
        var rng = SampleRNG(seed: 9)
        let out = aug.apply(small, rng: &rng)
        #expect(out.width == 16 && out.height == 16)
    }

    @Test func hlsWithZeroOffsetsLeavesPixelsUnchanged() {
        var pixels = [UInt8]()
        var rng = SampleRNG(seed: 42)
        for _ in 0..<3000 { pixels.append(UInt8(truncatingIfNeeded: rng.next())) }
        pixels += [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128]
        var out = pixels
        out.withUnsafeMutableBufferPointer { HLSColor.adjust($0.baseAddress!, count: $0.count / 3, hue: 0, saturation: 0, lightness: 0) }
        for i in 0..<pixels.count { #expect(abs(Int(out[i]) - Int(pixels[i])) <= 1) }
    }

    @Test func hlsOffsetsMoveColoursTheRightWay() {
        var red: [UInt8] = [200, 40, 40]
        red.withUnsafeMutableBufferPointer { HLSColor.adjust($0.baseAddress!, count: 1, hue: 0, saturation: 0, lightness: 50) }
        #expect(red[0] > 200 && red[1] > 40)
        var gray: [UInt8] = [100, 100, 100]
        gray.withUnsafeMutableBufferPointer { HLSColor.adjust($0.baseAddress!, count: 1, hue: 30, saturation: 0, lightness: 0) }
        #expect(gray == [100, 100, 100])  // no saturation, no hue to move
        var hue: [UInt8] = [255, 0, 0]     // red, hue 0; +60 on the 0..180 scale is 120 degrees: green
        hue.withUnsafeMutableBufferPointer { HLSColor.adjust($0.baseAddress!, count: 1, hue: 60, saturation: 0, lightness: 0) }
        #expect(hue == [0, 255, 0])
    }

    @Test func affineWithZeroRotationShearAndAspectIsIdentity() {
        var params = AugmentParams.none
        params.maxAspectRatio = 0
        params.maxRotateAngle = 0
        params.maxShearRatio = 0
        let aug = Augmenter(imageShape: [3, 30, 40], resize: nil, params: params)
        var rng = SampleRNG(seed: 5)
        #expect(aug.apply(image, rng: &rng) == image)
    }

    @Test func rotationByZeroThroughTheAffinePathIsIdentity() {
        // A tiny shear forces the general (per-pixel) sampler while staying within rounding of identity.
        var params = AugmentParams.none
        params.maxShearRatio = 1e-7
        let aug = Augmenter(imageShape: [3, 30, 40], resize: nil, params: params)
        var rng = SampleRNG(seed: 5)
        let out = aug.apply(image, rng: &rng)
        // Interior pixels are the source's; the border may mix in the fill value.
        for y in 1..<29 { for x in 1..<39 { for c in 0..<3 {
            #expect(abs(Int(pixel(out, x, y, c)) - Int(pixel(image, x, y, c))) <= 1)
        } } }
    }

    @Test func transformAugmentationKeepsShapeAndChangesPixels() {
        let aug = Augmenter(imageShape: [3, 24, 24], resize: 28, params: .training(.cropColorTransform))
        var differing = 0
        for i in 0..<8 {
            var a = SampleRNG(seed: 1, epoch: 0, index: i), b = SampleRNG(seed: 1, epoch: 0, index: i)
            let x = aug.apply(image, rng: &a), y = aug.apply(image, rng: &b)
            #expect(x == y)  // same seed, same result
            #expect(x.width == 24 && x.height == 24 && x.channels == 3)
            var c = SampleRNG(seed: 2, epoch: 0, index: i)
            if aug.apply(image, rng: &c) != x { differing += 1 }
        }
        #expect(differing > 0)
    }

    @Test func grayscaleOutputAndFloatPlanes() {
        let gray = SourcesFixtures.pattern(width: 6, height: 4, channels: 1)
        let aug = Augmenter(imageShape: [1, 4, 6], resize: nil, params: .none)
        let ws = AugmentWorkspace(width: 6, height: 4, channels: 1)
        var out = [Float](repeating: -1, count: 24)
        var rng = SampleRNG(seed: 0)
        out.withUnsafeMutableBufferPointer { aug.process(gray, rng: &rng, workspace: ws, into: $0.baseAddress!) }
        #expect(out == gray.pixels.map(Float.init))

        let rgb = SourcesFixtures.pattern(width: 2, height: 1)
        let aug3 = Augmenter(imageShape: [3, 1, 2], resize: nil, params: .none)
        var planes = [Float](repeating: 0, count: 6)
        planes.withUnsafeMutableBufferPointer { aug3.process(rgb, rng: &rng, workspace: AugmentWorkspace(width: 2, height: 1, channels: 3), into: $0.baseAddress!) }
        // CHW: R of both pixels, then G, then B.
        #expect(planes == [rgb.pixels[0], rgb.pixels[3], rgb.pixels[1], rgb.pixels[4], rgb.pixels[2], rgb.pixels[5]].map(Float.init))
    }

    @Test func realPhotoThroughEveryAugmentation() throws {
        let bytes = try [UInt8](Data(contentsOf: SourcesFixtures.sources.appendingPathComponent("photo.jpg")))
        let photo = try ImageDecoder.decode(bytes, options: DecodeOptions(channels: 3))
        for type in AugmentationType.allCases {
            let aug = Augmenter(imageShape: [3, 224, 224], resize: 256, params: .training(type))
            var rng = SampleRNG(seed: 7, epoch: 1, index: 3)
            let out = aug.apply(photo, rng: &rng)
            #expect(out.width == 224 && out.height == 224)
            let mean = out.pixels.reduce(0) { $0 + Int($1) } / out.pixels.count
            #expect(mean > 10 && mean < 245)
        }
    }
}
