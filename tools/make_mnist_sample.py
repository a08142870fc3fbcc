"""Writes the bundled MNIST sample as PNG files in class folders, the layout users bring
(one sub-folder per class, named by the digit):

    python3 tools/make_mnist_sample.py ../shared/data/mnist_5k.csv.gz sample/mnist

Rows are sorted by class, 500 per class; of each class the first 400 go to train/ and the
last 100 to validation/ (the split ../shared/bench/peer_mnist.py uses). Needs numpy and
either OpenCV or Pillow (e.g. the MXNet peer venv: /tmp/peers/mx/bin/python)."""
import gzip, os, sys
import numpy as np

src, out = sys.argv[1], sys.argv[2]
rows = np.loadtxt(gzip.open(src), delimiter=',', dtype=np.uint8)
try:
    import cv2
    def save(path, img): cv2.imwrite(path, img)
except ImportError:
    from PIL import Image
    def save(path, img): Image.fromarray(img).save(path)
for i, row in enumerate(rows):
    label = int(row[-1])
    split = 'train' if i % 500 < 400 else 'validation'
    folder = os.path.join(out, split, str(label))
    os.makedirs(folder, exist_ok=True)
    save(os.path.join(folder, '%04d.png' % i), row[:-1].reshape(28, 28))
print('wrote', len(rows), 'images under', out)
