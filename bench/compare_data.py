#!/usr/bin/env python3
"""Input pipeline side by side: imgclf's loader against MXNet 1.9.1's C++ ImageRecordIter
on the same .rec (decode + augment + batch, 3x224x224 output, resize 256, 2 threads).

    python3 bench/compare_data.py [--images 1200] [--seconds 15]

Makes the photo set with ../shared/bench/make_photo_dataset.py (needs OpenCV: the MXNet
peer venv has it), packs it with `imgclf im2rec --pass-through`, then runs each system
on augmentation levels crop and crop_color_transform (and the others with --all)."""
import argparse, json, os, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get('SHARED_BENCH', os.path.join(ROOT, '..', 'shared', 'bench'))
PEERS = os.environ.get('PEERS', '/tmp/peers')
IMGCLF = os.path.join(ROOT, '.build', 'release', 'imgclf')
MXPY = os.path.join(PEERS, 'mx', 'bin', 'python')

ap = argparse.ArgumentParser()
ap.add_argument('--images', type=int, default=1200)
ap.add_argument('--seconds', type=float, default=15)
ap.add_argument('--work', default='/tmp/imgclf-photos')
ap.add_argument('--all', action='store_true')
a = ap.parse_args()

photos = os.path.join(a.work, 'photos')
rec = os.path.join(a.work, 'set.rec')
if not os.path.exists(rec):
    if not os.path.isdir(photos):
        subprocess.run([MXPY, os.path.join(SHARED, 'make_photo_dataset.py'), os.path.join(SHARED, '..', 'data', 'photos'),
                        photos, str(a.images)], check=True, capture_output=True)
    prefix = os.path.join(a.work, 'set')  # not 'photos': im2rec treats a prefix that is a folder as the working folder
    subprocess.run([IMGCLF, 'im2rec', '--list', '--recursive', prefix, photos], check=True, capture_output=True)
    subprocess.run([IMGCLF, 'im2rec', '--pass-through', prefix, photos], check=True, capture_output=True)

levels = {'none': 0, 'crop': 1, 'crop_color': 2, 'crop_color_transform': 3}
wanted = list(levels) if a.all else ['crop', 'crop_color_transform']
print('| augmentation | imgclf img/s | MXNet ImageRecordIter img/s | ratio |')
print('|---|---|---|---|')
for name in wanted:
    cmd = [IMGCLF, 'benchmark', '--data', rec, '--image_shape', '3,224,224', '--resize', '256', '--threads', '2',
           '--seconds', str(a.seconds)]
    if name != 'none': cmd += ['--augmentation_type', name]
    ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    peer = json.loads(subprocess.run([MXPY, os.path.join(SHARED, 'peer_data_bench.py'), rec, str(levels[name]), '2', '256'],
                                     check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    print(f"| {name} | {ours['img_s']:.1f} | {peer['img_s']:.1f} | {ours['img_s'] / peer['img_s']:.2f}x |", flush=True)
