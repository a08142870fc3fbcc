"""A JPEG dataset for data-pipeline benchmarks, cut from real photos in the repository.

    python make_photo_dataset.py OUT_DIR N [--classes K] [--seed S] PHOTO...   (the mx venv: OpenCV)

Writes OUT_DIR/<class>/<i>.jpg: N random crops (half to all of each side, mirrored half the
time) of the given photos, resized to 500x375 or 375x500 (the size of a typical photo
dataset image, e.g. Caltech-256's), JPEG quality 90. The images are spread over K class
folders (default 10) in turn; labels do not change what a loader costs.
"""
import argparse
import os
import random

import cv2

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('out')
ap.add_argument('n', type=int)
ap.add_argument('photos', nargs='+')
ap.add_argument('--classes', type=int, default=10)
ap.add_argument('--seed', type=int, default=1)
a = ap.parse_args()

rng = random.Random(a.seed)
sources = []
for path in a.photos:
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit('cannot read %s' % path)
    sources.append(image)

for i in range(a.n):
    image = sources[i % len(sources)]
    h, w = image.shape[:2]
    scale = rng.uniform(0.5, 1.0)
    ch, cw = int(h * scale), int(w * scale)
    y, x = rng.randint(0, h - ch), rng.randint(0, w - cw)
    crop = image[y:y + ch, x:x + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    size = (500, 375) if rng.random() < 0.7 else (375, 500)  # mostly landscape, some portrait
    crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if crop.shape[1] > size[0] else cv2.INTER_LINEAR)
    folder = os.path.join(a.out, 'class%02d' % (i % a.classes))
    os.makedirs(folder, exist_ok=True)
    cv2.imwrite(os.path.join(folder, '%05d.jpg' % i), crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
print('%d images in %d classes under %s' % (a.n, min(a.classes, a.n), a.out))
