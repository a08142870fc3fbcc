/// The longest image side any path accepts (the README's "image sides at most 8192"), shared by
/// the decoders (Data) and `image_shape`/`resize` (Models) so the two cannot drift apart.
public enum ImageSideLimit {
    public static let pixels = 8192
}
