"""Decode + augment throughput of MXNet's C++ ImageRecordIter, the original algorithm's
input pipeline, on a .rec (3x224x224 output, batches of 32, one pass over the file).

    python peer_data_bench.py REC [LEVEL 0-3] [THREADS] [RESIZE]     (the mx venv)

LEVEL is the algorithm's augmentation_type: 0 none, 1 crop, 2 crop_color,
3 crop_color_transform (defaults: 1, 2 threads, resize 256). Prints one JSON line.
"""
import json
import sys
import time

import mxnet as mx

rec = sys.argv[1]
level = int(sys.argv[2]) if len(sys.argv) > 2 else 1
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
resize = int(sys.argv[4]) if len(sys.argv) > 4 else 256

# Each level adds to the one below it.
augment = {}
if level >= 1:
    augment.update(rand_crop=True, rand_mirror=True)
if level >= 2:
    augment.update(random_h=36, random_s=50, random_l=50)
if level >= 3:
    augment.update(max_rotate_angle=10, max_shear_ratio=0.1, max_aspect_ratio=0.25)

# The clock starts before the iterator is made: it begins decoding in the background as soon as
# it exists, so starting later would leave out work (all of it, for a small set).
start = time.perf_counter()
it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 224, 224), batch_size=32, resize=resize,
                           preprocess_threads=threads, shuffle=False, round_batch=False, **augment)
images = 0
for batch in it:
    batch.data[0].wait_to_read()  # the iterator prefetches: count only finished batches
    images += batch.data[0].shape[0] - batch.pad
seconds = time.perf_counter() - start
print(json.dumps({'peer': 'mx.io.ImageRecordIter', 'version': mx.__version__, 'level': level,
                  'threads': threads, 'images': images, 'img_s': round(images / seconds, 1)}))
