#!/usr/bin/env python3
"""Accuracy and time side by side: imgclf and MXNet 1.9.1 train the same ResNet on the
real MNIST sample (per class 400 train / 100 validate) with the same settings.

    python3 bench/compare_mnist.py [--epochs 10] [--num_layers 20] [--batch 64] [--lr 0.1] [--steps 6,8]

imgclf reads the PNG class folders in sample/mnist (tools/make_mnist_sample.py made them
from the same CSV); MXNet reads the CSV through ../shared/bench/peer_mnist.py. Each
system's time is the wall time of its whole run (start-up, data, training, validation).
Needs the MXNet peer (../shared/bench/peers.sh mx) and a release build."""
import argparse, json, os, re, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get('SHARED_BENCH', os.path.join(ROOT, '..', 'shared', 'bench'))
PEERS = os.environ.get('PEERS', '/tmp/peers')

ap = argparse.ArgumentParser()
ap.add_argument('--epochs', type=int, default=10)
ap.add_argument('--num_layers', type=int, default=20)
ap.add_argument('--batch', type=int, default=64)
ap.add_argument('--lr', type=float, default=0.1)
ap.add_argument('--steps', default='6,8')
a = ap.parse_args()

t = time.time()
out = subprocess.run([os.path.join(PEERS, 'mx', 'bin', 'python'), os.path.join(SHARED, 'peer_mnist.py'),
                      os.path.join(SHARED, '..', 'data', 'mnist_5k.csv.gz'), str(a.epochs), str(a.num_layers),
                      str(a.batch), str(a.lr), a.steps], capture_output=True, text=True, check=True)
mx_seconds = time.time() - t
mx = json.loads(out.stdout.strip().splitlines()[-1])

model = '/tmp/compare-mnist-model'
subprocess.run(['rm', '-rf', model], check=True)
t = time.time()
out = subprocess.run([os.path.join(ROOT, '.build', 'release', 'imgclf'), 'train',
                      '--train', os.path.join(ROOT, 'sample/mnist/train'),
                      '--validation', os.path.join(ROOT, 'sample/mnist/validation'), '--output', model,
                      '--num_classes', '10', '--num_training_samples', '4000', '--image_shape', '1,28,28',
                      '--num_layers', str(a.num_layers), '--mini_batch_size', str(a.batch), '--epochs', str(a.epochs),
                      '--learning_rate', str(a.lr), '--lr_scheduler_step', a.steps],
                     capture_output=True, text=True, check=True)
ours_seconds = time.time() - t
accs = [float(m) for m in re.findall(r'Validation-accuracy=([0-9.]+)', out.stdout)]

print('| system | validation accuracy (last epoch) | best epoch | wall time (s) |')
print('|---|---|---|---|')
print(f"| MXNet {mx.get('num_layers')} layers | {mx['validation_accuracy'] * 100:.2f}% | | {mx_seconds:.1f} |")
print(f"| imgclf | {accs[-1] * 100:.2f}% | {max(accs) * 100:.2f}% | {ours_seconds:.1f} |")
print(f"\nimgclf is {mx_seconds / ours_seconds:.2f}x faster; accuracy difference {100 * (accs[-1] - mx['validation_accuracy']):+.2f} points")
