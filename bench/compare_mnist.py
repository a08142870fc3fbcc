#!/usr/bin/env python3
"""Accuracy and time side by side: imgclf and MXNet 1.9.1 train the same ResNet on the
real MNIST sample in the repository (sample/mnist: 400 train / 100 validation images per
digit) with the same settings.

    python3 bench/compare_mnist.py [--epochs 10] [--num_layers 20] [--batch 64] [--lr 0.1]
                                   [--steps 6,8] [--train-per-class N] [--no-install]

Both read the same PNG class folders (MXNet through bench/peers/peer_mnist.py). Each
system's time is the wall time of its whole run (start-up, data, training, validation).
Installs the MXNet peer on first run (bench/peers/install.sh mx) unless --no-install; the
imgclf model goes to bench/.work/compare-mnist-model. --steps '' turns the schedule off;
--train-per-class N trains both on the first N images of each digit only (a copy under
bench/.work), for a quick run; validation always uses all 1000 images."""
import argparse
import os
import re
import shutil
import time

import benchlib as b

ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
ap.add_argument('--epochs', type=int, default=10)
ap.add_argument('--num_layers', type=int, default=20)
ap.add_argument('--batch', type=int, default=64)
ap.add_argument('--lr', type=float, default=0.1)
ap.add_argument('--steps', default='6,8', help="epochs at which the learning rate drops 10x ('' for none)")
ap.add_argument('--train-per-class', type=int, help='train on the first N images of each digit (default: all 400)')
b.add_common_args(ap)
a = ap.parse_args()
b.check_imgclf(a.imgclf)
b.ensure_peers(a, 'mx')
data = b.MNIST
if a.train_per_class:
    # A smaller copy laid out like sample/mnist, so both systems read the same subset.
    data = os.path.join(b.WORK, 'mnist-%d' % a.train_per_class)
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(os.path.join(b.MNIST, 'validation'), os.path.join(data, 'validation'))
    for digit in sorted(os.listdir(os.path.join(b.MNIST, 'train'))):
        src, dst = os.path.join(b.MNIST, 'train', digit), os.path.join(data, 'train', digit)
        os.makedirs(dst)
        for name in sorted(os.listdir(src))[:a.train_per_class]:
            shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
train, validation = os.path.join(data, 'train'), os.path.join(data, 'validation')
count = sum(len(files) for _, _, files in os.walk(train))

start = time.time()
mx = b.run_json([b.peer_python('mx'), b.peer_script('peer_mnist.py'), data, a.epochs, a.num_layers,
                 a.batch, a.lr, a.steps])
mx_seconds = time.time() - start

model = os.path.join(b.WORK, 'compare-mnist-model')
shutil.rmtree(model, ignore_errors=True)
os.makedirs(b.WORK, exist_ok=True)
cmd = [a.imgclf, 'train', '--train', train, '--validation', validation, '--output', model,
       '--num_classes', 10, '--num_training_samples', count, '--image_shape', '1,28,28',
       '--num_layers', a.num_layers, '--mini_batch_size', a.batch, '--epochs', a.epochs, '--learning_rate', a.lr]
if a.steps:
    cmd += ['--lr_scheduler_step', a.steps]
start = time.time()
out = b.run(cmd)
ours_seconds = time.time() - start
accs = [float(m) for m in re.findall(r'Validation-accuracy=([0-9.]+)', out.stdout + out.stderr)]
if not accs:
    raise SystemExit('imgclf train printed no Validation-accuracy line:\n' + out.stdout[-2000:])

print('%d training and %d validation images, %d epochs, batch %d\n' % (count, mx.get('validation_images', 0), a.epochs, a.batch))
print('| system | validation accuracy (last epoch) | best epoch | wall time (s) |')
print('|---|---|---|---|')
print('| MXNet %s, ResNet-%d | %.2f%% | | %.1f |' % (mx.get('version', ''), a.num_layers, mx['validation_accuracy'] * 100, mx_seconds))
print('| imgclf, ResNet-%d | %.2f%% | %.2f%% | %.1f |' % (a.num_layers, accs[-1] * 100, max(accs) * 100, ours_seconds))
print('\nimgclf speed / MXNet speed (wall time): %.2fx; accuracy difference %+.2f points'
      % (mx_seconds / ours_seconds, 100 * (accs[-1] - mx['validation_accuracy'])))
