"""oneDNN 3.x against Debian's 2.6 (imgclf's), on the training convolutions of a network: the C
harness bench/onednn_conv_bench.c, built once against each, times forward, backward-data and
backward-weights in the layouts each version picks itself, as imgclf's executor asks for them.
This answers whether moving imgclf to oneDNN 3.x would train faster on this CPU.

  python3 bench/compare_onednn.py [--net resnet20|resnet18] [--batch N] [--iterations 20] [--threads 2]

oneDNN 3.x comes from PyPI (bench/peers/install.sh onednn3: 3.13, the version PyTorch bundles;
that build runs its CPU engine through SYCL and threads with TBB, Debian's with OpenMP, so each
runs with its own runtime, as it would ship). Prints, per shape and direction, each version's implementation and median milliseconds,
and the totals.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

# (batch-free) MB is filled in: IC, OC, H, W, K, STRIDE, PAD, and how many times the network runs it.
NETS = {
    # ResNet-20 at 3,28,28 (MXNet's CIFAR ResNet): three stages of 16, 32, 64 channels.
    'resnet20': [((3, 16, 28, 28, 3, 1, 1), 1), ((16, 16, 28, 28, 3, 1, 1), 6), ((16, 32, 28, 28, 3, 2, 1), 1),
                 ((32, 32, 14, 14, 3, 1, 1), 5), ((32, 64, 14, 14, 3, 2, 1), 1), ((64, 64, 7, 7, 3, 1, 1), 5),
                 ((16, 16, 28, 28, 1, 1, 0), 1), ((16, 32, 28, 28, 1, 2, 0), 1), ((32, 64, 14, 14, 1, 2, 0), 1)],
    # ResNet-18 at 3,224,224: the 3x3 convolutions of its four stages and its stem.
    'resnet18': [((3, 64, 224, 224, 7, 2, 3), 1), ((64, 64, 56, 56, 3, 1, 1), 4), ((64, 128, 56, 56, 3, 2, 1), 1),
                 ((128, 128, 28, 28, 3, 1, 1), 3), ((128, 256, 28, 28, 3, 2, 1), 1), ((256, 256, 14, 14, 3, 1, 1), 3),
                 ((256, 512, 14, 14, 3, 2, 1), 1), ((512, 512, 7, 7, 3, 1, 1), 3)],
}
DEFAULT_BATCH = {'resnet20': 128, 'resnet18': 32}


def build(out, include=None, libdir=None):
    cmd = ['gcc', '-O2', '-o', out, os.path.join(benchlib.BENCH, 'onednn_conv_bench.c')]
    if include:
        cmd += ['-I', include, '-L', libdir, '-l:libdnnl.so.3', '-Wl,-rpath,' + libdir]
    else:
        cmd += ['-ldnnl']
    benchlib.run(cmd)


def measure(binary, shapes, batch, iterations, threads, libdir=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), TBB_NUM_THREADS=str(threads), DNNL_VERBOSE='0', ONEDNN_VERBOSE='0')
    if libdir:
        # PyPI's build runs its CPU engine through SYCL: it finds its TBB and SYCL runtime
        # beside it only through the library path, and its CPU device through the OpenCL loader.
        env['LD_LIBRARY_PATH'] = libdir + os.pathsep + env.get('LD_LIBRARY_PATH', '')
        env['OCL_ICD_FILENAMES'] = os.path.join(libdir, 'libintelocl.so')
    args = ['%d,%s' % (batch, ','.join(map(str, s))) for s, _ in shapes]
    out = benchlib.run([binary, str(iterations)] + args, env=env).stdout
    rows = {}
    for line in out.splitlines():
        label, direction, impl, ms = line.split()
        rows[(label, direction)] = (impl, float(ms))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--net', choices=sorted(NETS), default='resnet20')
    ap.add_argument('--batch', type=int, default=None)
    ap.add_argument('--iterations', type=int, default=20)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--no-install', action='store_true', help='do not install the onednn3 peer; fail instead')
    a = ap.parse_args()
    batch = a.batch or DEFAULT_BATCH[a.net]
    benchlib.ensure_peers(a, 'onednn3')
    venv = os.path.join(benchlib.PEERS, 'onednn3')
    work = os.path.join(benchlib.WORK, 'onednn')
    os.makedirs(work, exist_ok=True)
    old, new = os.path.join(work, 'conv-2'), os.path.join(work, 'conv-3')
    build(old)
    build(new, include=os.path.join(venv, 'include'), libdir=os.path.join(venv, 'lib'))
    shapes = NETS[a.net]
    r2 = measure(old, shapes, batch, a.iterations, a.threads)
    r3 = measure(new, shapes, batch, a.iterations, a.threads, libdir=os.path.join(venv, 'lib'))
    print('%s, batch %d, %d threads, median of %d runs (ms); weighted totals count each shape as often as the network runs it'
          % (a.net, batch, a.threads, a.iterations))
    head = '%-40s %-17s %-22s %8s %-26s %8s %6s' % ('shape', 'direction', 'oneDNN 2.6', 'ms', 'oneDNN 3.x', 'ms', '3.x/2.6')
    print(head)
    print('-' * len(head))
    totals = [0.0, 0.0]
    for (s, times) in shapes:
        label = 'mb%d_ic%d_oc%d_%dx%d_k%d_s%d' % ((batch,) + s[:6])
        for direction in ('forward', 'backward_data', 'backward_weights'):
            (i2, t2), (i3, t3) = r2[(label, direction)], r3[(label, direction)]
            totals[0] += times * t2
            totals[1] += times * t3
            print('%-40s %-17s %-22s %8.3f %-26s %8.3f %6.2f' % (label, direction, i2, t2, i3, t3, t3 / t2))
    print('-' * len(head))
    print('%-40s %-17s %-22s %8.1f %-26s %8.1f %6.2f' % ('one training step, convolutions', '', '', totals[0], '', totals[1], totals[1] / totals[0]))


if __name__ == '__main__':
    main()
