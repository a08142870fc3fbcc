"""Writes the small photo-crop data set of the bf16 agreement test
(Tests/ServingTests/PrecisionAgreementTests.swift): random crops of the 12 real photos in
shared/data/photos, one class per photo, as small JPEGs.

    python tools/make_photo_crops.py ../shared/data/photos Tests/ServingTests/Resources/photo-crops
                                     [--train 24] [--validation 16] [--size 56x42] [--seed 1]

(any Python with Pillow: `python3 -m venv /tmp/pil && /tmp/pil/bin/pip install Pillow`).
Writes OUT/train/<photo>/<i>.jpg and OUT/validation/<photo>/<i>.jpg: crops of 40% to 100% of
each side, mirrored half the time, resized to SIZE (W x H; a third of them portrait, H x W),
JPEG quality 90. Seeded, so the same arguments write the same files.
"""
import argparse
import os
import random

from PIL import Image, ImageOps

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('photos')
ap.add_argument('out')
ap.add_argument('--train', type=int, default=24, help='crops per photo for training')
ap.add_argument('--validation', type=int, default=16, help='crops per photo for validation')
ap.add_argument('--size', default='56x42')
ap.add_argument('--seed', type=int, default=1)
a = ap.parse_args()
w, h = (int(v) for v in a.size.split('x'))
rng = random.Random(a.seed)
names = sorted(f for f in os.listdir(a.photos) if f.lower().endswith(('.jpg', '.jpeg', '.png')))
total = 0
for name in names:
    image = Image.open(os.path.join(a.photos, name))
    image = ImageOps.exif_transpose(image).convert('RGB')
    label = os.path.splitext(name)[0]
    for split, count in (('train', a.train), ('validation', a.validation)):
        folder = os.path.join(a.out, split, label)
        os.makedirs(folder, exist_ok=True)
        for i in range(count):
            iw, ih = image.size
            cw, ch = int(iw * rng.uniform(0.4, 1.0)), int(ih * rng.uniform(0.4, 1.0))
            x, y = rng.randint(0, iw - cw), rng.randint(0, ih - ch)
            crop = image.crop((x, y, x + cw, y + ch))
            if rng.random() < 0.5:
                crop = ImageOps.mirror(crop)
            size = (w, h) if rng.random() < 2 / 3 else (h, w)
            crop = crop.resize(size, Image.Resampling.BOX if cw > size[0] else Image.Resampling.BILINEAR)
            crop.save(os.path.join(folder, '%03d.jpg' % i), quality=90)
            total += 1
print('%d crops of %d photos under %s' % (total, len(names), a.out))
