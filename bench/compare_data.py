#!/usr/bin/env python3
"""Input pipeline side by side: imgclf's loader against MXNet 1.9.1's C++ ImageRecordIter
on the same .rec (decode + augment + batch, 3x224x224 output, resize 256, 2 threads).

    python3 bench/compare_data.py [--images 1200] [--seconds 15] [--all] [--no-install]

Installs the MXNet peer on first run (bench/peers/install.sh mx) unless --no-install. The
photo set is made from the real 500x375 photo in the repository's tests
(Tests/ImageDataTests/Resources/sources/photo.jpg; or --photo FILE..., any JPEG/PNG): random
crops resized back to 500x375 or 375x500, JPEG quality 90, by bench/peers/make_photo_dataset.py
(OpenCV, from the MXNet venv); `imgclf im2rec --pass-through` packs it, both kept under
bench/.work. Then each system runs augmentation levels crop and crop_color_transform (all
four with --all)."""
import argparse
import hashlib
import os
import shutil

import benchlib as b

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('--images', type=int, default=1200)
ap.add_argument('--seconds', type=float, default=15, help="imgclf's measuring time per level")
ap.add_argument('--photo', nargs='+', default=[b.PHOTO], help='source photos (default: the test photo)')
ap.add_argument('--work', help='where the photo set and .rec go (default: bench/.work/photoset-N)')
ap.add_argument('--all', action='store_true')
b.add_common_args(ap)
a = ap.parse_args()
b.check_imgclf(a.imgclf)
b.ensure_peers(a, 'mx')
mxpy = b.peer_python('mx')

tag = '' if a.photo == [b.PHOTO] else '-' + hashlib.sha1('\0'.join(map(os.path.abspath, a.photo)).encode()).hexdigest()[:8]
work = a.work or os.path.join(b.WORK, 'photoset-%d%s' % (a.images, tag))  # one set per size and sources
photos = os.path.join(work, 'photos')
prefix = os.path.join(work, 'set')  # not 'photos': im2rec treats a prefix that is a folder as the working folder
rec = prefix + '.rec'
done = os.path.join(work, 'complete')  # written last: a set cut short by an interrupted run is made again
if not os.path.exists(done):
    shutil.rmtree(photos, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    b.run([mxpy, b.peer_script('make_photo_dataset.py'), photos, a.images, *a.photo])
    b.run([a.imgclf, 'im2rec', '--list', '--recursive', prefix, photos])
    b.run([a.imgclf, 'im2rec', '--pass-through', prefix, photos])
    open(done, 'w').close()

levels = {'none': 0, 'crop': 1, 'crop_color': 2, 'crop_color_transform': 3}
wanted = list(levels) if a.all else ['crop', 'crop_color_transform']
print('| augmentation | imgclf img/s | MXNet ImageRecordIter img/s | ratio |')
print('|---|---|---|---|')
for name in wanted:
    cmd = [a.imgclf, 'benchmark', '--data', rec, '--image_shape', '3,224,224', '--resize', '256', '--threads', '2',
           '--seconds', a.seconds]
    if name != 'none':
        cmd += ['--augmentation_type', name]
    ours = b.run_json(cmd)
    peer = b.run_json([mxpy, b.peer_script('peer_data_bench.py'), rec, levels[name], 2, 256])
    print('| %s | %.1f | %.1f | %.2fx |' % (name, ours['img_s'], peer['img_s'], ours['img_s'] / peer['img_s']), flush=True)
